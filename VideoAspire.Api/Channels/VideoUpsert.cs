using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

public sealed record VideoUpsert(
    [property: JsonPropertyName("video_id")] string? VideoId,
    [property: JsonPropertyName("video_title")] string? VideoTitle,
    [property: JsonPropertyName("published_at")] string? PublishedAt);
