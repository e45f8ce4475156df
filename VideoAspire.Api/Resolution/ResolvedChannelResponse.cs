using System.Text.Json.Serialization;

namespace VideoAspire.Api.Resolution;

/// <summary>The channel a handle or URL names.</summary>
/// <param name="Handle">The channel's handle (<c>@name</c>) when known.</param>
/// <param name="Title">The channel's title when known.</param>
public sealed record ResolvedChannelResponse(
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("handle")] string? Handle,
    [property: JsonPropertyName("title")] string? Title);
