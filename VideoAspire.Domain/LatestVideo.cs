using System.Globalization;
using System.Text.Json.Serialization;

namespace VideoAspire.Domain;

/// <summary>One video as callers see it and as the latest-five cache stores it.</summary>
public sealed record LatestVideo(
    [property: JsonPropertyName("video_id")] string VideoId,
    [property: JsonPropertyName("video_title")] string VideoTitle,
    [property: JsonPropertyName("upload_date")] string UploadDate,
    [property: JsonPropertyName("published_at")] DateTime PublishedAt)
{
    /// <summary>How many videos a channel's answer holds.</summary>
    public const int Count = 5;

    public static LatestVideo Create(string videoId, string title, DateTimeOffset publishedAt)
    {
        var utc = publishedAt.UtcDateTime;
        return new(videoId, title, utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), utc);
    }
}
