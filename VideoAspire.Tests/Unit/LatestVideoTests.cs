using System.Text.Json;

namespace VideoAspire.Tests.Unit;

public sealed class LatestVideoTests
{
    [Fact]
    public void Upload_date_is_the_utc_calendar_day()
    {
        // 23:30 at UTC-5 is already the next day in UTC.
        var video = LatestVideo.Create("dQw4w9WgXcQ", "t", new DateTimeOffset(2026, 1, 31, 23, 30, 0, TimeSpan.FromHours(-5)));

        Assert.Equal("2026-02-01", video.UploadDate);
        Assert.Equal(DateTimeKind.Utc, video.PublishedAt.Kind);
    }

    [Fact]
    public void Serializes_with_snake_case_names_and_rfc3339_utc()
    {
        IReadOnlyList<LatestVideo> videos = [LatestVideo.Create("dQw4w9WgXcQ", "A \"title\" & <b>", new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero))];

        var json = JsonSerializer.Serialize(videos, VideoJsonContext.Default.IReadOnlyListLatestVideo);
        var roundTrip = JsonSerializer.Deserialize(json, VideoJsonContext.Default.IReadOnlyListLatestVideo);

        Assert.Contains("\"video_id\":\"dQw4w9WgXcQ\"", json);
        Assert.Contains("\"upload_date\":\"2026-02-03\"", json);
        Assert.Contains("\"published_at\":\"2026-02-03T04:05:06Z\"", json);
        Assert.Equal(videos, roundTrip);
    }
}
