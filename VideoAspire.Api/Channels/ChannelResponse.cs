using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

/// <summary>A stored channel.</summary>
public sealed record ChannelResponse(
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_accessed_at")] DateTimeOffset? LastAccessedAt,
    [property: JsonPropertyName("last_refreshed_at")] DateTimeOffset? LastRefreshedAt);
