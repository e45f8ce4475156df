using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

/// <summary>Body of <c>PUT /channels/{channelId}</c>.</summary>
public sealed record ChannelRegistration([property: JsonPropertyName("title")] string? Title);

/// <summary>A stored channel.</summary>
public sealed record ChannelResponse(
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_accessed_at")] DateTimeOffset? LastAccessedAt,
    [property: JsonPropertyName("last_refreshed_at")] DateTimeOffset? LastRefreshedAt);

/// <summary>Body of <c>PUT /channels/{channelId}/videos</c>.</summary>
public sealed record VideoBatch([property: JsonPropertyName("videos")] List<VideoUpsert>? Videos);

public sealed record VideoUpsert(
    [property: JsonPropertyName("video_id")] string? VideoId,
    [property: JsonPropertyName("video_title")] string? VideoTitle,
    [property: JsonPropertyName("published_at")] string? PublishedAt);

/// <summary>What a bulk upsert did.</summary>
public sealed record VideoBatchResult(
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("received")] int Received,
    [property: JsonPropertyName("changed")] int Changed);
