using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

/// <summary>Body of <c>PUT /channels/{channelId}</c>.</summary>
public sealed record ChannelRegistration([property: JsonPropertyName("title")] string? Title);
