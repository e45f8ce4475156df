using Microsoft.EntityFrameworkCore;
using VideoAspire.Data;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>The Worker's re-warm query (a lateral seek per channel) on the real PostgreSQL.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class RecentlyAccessedQueryTests(AppHostFixture fixture)
{
    // Marks far in the future, so that no other test's channels fall in the window.
    private static readonly DateTimeOffset Future = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Recently_read_channels_come_most_recent_first_with_their_newest_five_each()
    {
        var withSeven = TestCatalog.NewChannelId();
        var withNone = TestCatalog.NewChannelId();
        var readEarlier = TestCatalog.NewChannelId();
        var deleted = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var videoIds = new List<string>();
        foreach (var channelId in new[] { withSeven, withNone, readEarlier, deleted })
        {
            await fixture.Database.AddChannelAsync(channelId);
        }

        for (var i = 0; i < 7; i++)
        {
            // (Lowercase hex ids: the same order under any collation the test database may have.)
            var videoId = Guid.NewGuid().ToString("N")[..11];
            videoIds.Add(videoId);
            // The two newest share a publish time: the video id breaks the tie (descending), as everywhere else.
            await fixture.Database.AddVideoAsync(withSeven, videoId, $"Video {i}", day.AddHours(Math.Min(i, 5)));
        }

        await fixture.Database.AddVideoAsync(readEarlier, TestCatalog.NewVideoId(), "Earlier", day);
        await fixture.Database.AddVideoAsync(deleted, TestCatalog.NewVideoId(), "Deleted", day);
        await fixture.Database.ExecuteAsync("UPDATE channels SET deleted_at = now() WHERE id = $1", deleted);
        var order = new[] { (readEarlier, 1), (withNone, 2), (withSeven, 3), (deleted, 4) };
        foreach (var (channelId, seconds) in order)
        {
            await fixture.Database.ExecuteAsync("UPDATE channels SET last_accessed_at = $2 WHERE id = $1", channelId, Future.AddSeconds(seconds));
        }

        try
        {
            var options = new DbContextOptionsBuilder<VideosDbContext>()
                .UseNpgsql(await fixture.ConnectionStringAsync(ResourceNames.Database)).Options;
            await using var db = new VideosDbContext(options);

            var channels = await db.GetRecentlyAccessedLatestVideosAsync(Future, limit: 2, CancellationToken.None);

            Assert.Equal([withSeven, withNone], channels.Select(c => c.ChannelId));
            var expected = new[] { (videoIds[5], day.AddHours(5)), (videoIds[6], day.AddHours(5)) }
                .OrderByDescending(v => v.Item1, StringComparer.Ordinal)
                .Concat([(videoIds[4], day.AddHours(4)), (videoIds[3], day.AddHours(3)), (videoIds[2], day.AddHours(2))])
                .Select(v => v.Item1);
            Assert.Equal(expected, channels[0].Videos.Select(v => v.VideoId));
            Assert.Empty(channels[1].Videos);
        }
        finally
        {
            foreach (var (channelId, _) in order)
            {
                await fixture.Database.ExecuteAsync("DELETE FROM videos WHERE channel_id = $1", channelId);
                await fixture.Database.ExecuteAsync("DELETE FROM channels WHERE id = $1", channelId);
            }
        }
    }
}
