using System.Xml.Linq;
using VideoAspire.Worker.Jobs;
using VideoAspire.YouTube;

namespace VideoAspire.Tests.Unit;

public sealed class YouTubeWireFormatTests
{
    private const string Feed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
         <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UC0032Wkd3aCT4rRi1YOVc2d"/>
         <id>yt:channel:0032Wkd3aCT4rRi1YOVc2d</id>
         <yt:channelId>0032Wkd3aCT4rRi1YOVc2d</yt:channelId>
         <title>Tom &amp; Jerry&apos;s &lt;Lab&gt;</title>
         <author><name>Tom &amp; Jerry&apos;s &lt;Lab&gt;</name><uri>https://www.youtube.com/channel/UC0032Wkd3aCT4rRi1YOVc2d</uri></author>
         <entry>
          <id>yt:video:aaaaaaaaaaa</id>
          <yt:videoId>aaaaaaaaaaa</yt:videoId>
          <yt:channelId>UC0032Wkd3aCT4rRi1YOVc2d</yt:channelId>
          <title>Fish &amp; chips &lt;3 &quot;live&quot; — 日本</title>
          <link rel="alternate" href="https://www.youtube.com/watch?v=aaaaaaaaaaa"/>
          <published>2026-03-01T18:30:00+00:00</published>
          <updated>2026-03-02T10:00:00+00:00</updated>
          <media:group><media:title>ignored</media:title></media:group>
         </entry>
         <entry>
          <id>yt:video:bbbbbbbbbbb</id>
          <yt:videoId>bbbbbbbbbbb</yt:videoId>
          <title>Morning upload</title>
          <published>2026-03-01T07:00:00-05:00</published>
         </entry>
        </feed>
        """;

    [Fact]
    public void Feed_entries_are_decoded_exactly()
    {
        var snapshot = YouTubeFeedClient.Parse("UC0032Wkd3aCT4rRi1YOVc2d", XDocument.Parse(Feed), DateTimeOffset.UtcNow);

        Assert.Equal("Tom & Jerry's <Lab>", snapshot.Title);
        Assert.Equal(2, snapshot.Videos.Count);
        Assert.Equal("Fish & chips <3 \"live\" — 日本", snapshot.Videos[0].Title);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), snapshot.Videos[1].PublishedAt);
        // Same UTC day; the later instant comes first.
        Assert.Equal(["aaaaaaaaaaa", "bbbbbbbbbbb"], snapshot.Latest().Select(v => v.VideoId));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "quotaExceeded", SourceFailure.QuotaExceeded)]
    [InlineData(HttpStatusCode.Forbidden, "rateLimitExceeded", SourceFailure.QuotaExceeded)]
    [InlineData(HttpStatusCode.Forbidden, "userRateLimitExceeded", SourceFailure.QuotaExceeded)]
    [InlineData(HttpStatusCode.BadRequest, "keyInvalid", SourceFailure.KeyInvalid)]
    [InlineData(HttpStatusCode.BadRequest, "API_KEY_INVALID", SourceFailure.KeyInvalid)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "backendError", SourceFailure.Unavailable)]
    [InlineData(HttpStatusCode.InternalServerError, null, SourceFailure.Unavailable)]
    public void Data_api_errors_are_classified(HttpStatusCode status, string? reason, SourceFailure expected) =>
        Assert.Equal(expected, YouTubeDataApiClient.Classify(status, [reason]));

    [Fact]
    public void Playlist_not_found_is_not_a_failure() =>
        Assert.Null(YouTubeDataApiClient.Classify(HttpStatusCode.NotFound, ["playlistNotFound"]));

    [Fact]
    public void Latest_keeps_the_five_newest_by_instant()
    {
        var day = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var videos = Enumerable.Range(0, 9).Select(i => new FetchedVideo($"video{i:D6}", $"v{i}", day.AddHours(i * 7 % 9))).ToList();

        var latest = new ChannelSnapshot("UC0032Wkd3aCT4rRi1YOVc2d", null, videos, "test", day).Latest();

        Assert.Equal(videos.OrderByDescending(v => v.PublishedAt).Take(5).Select(v => v.VideoId), latest.Select(v => v.VideoId));
    }

    [Theory]
    [InlineData(300, 10, 25)]   // the default: 300 units/hour, every 10 minutes, 2 units a fetch
    [InlineData(300, 60, 150)]
    [InlineData(0, 10, 0)]
    public void Refresh_budget_spreads_the_hourly_quota_over_runs(int unitsPerHour, int intervalMinutes, int expected) =>
        Assert.Equal(expected, ChannelRefreshJob.ChannelsPerRun(new WorkerOptions
        {
            QuotaBudgetPerHour = unitsPerHour,
            ChannelRefreshInterval = TimeSpan.FromMinutes(intervalMinutes),
        }));
}
