using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>The write endpoints: validation, idempotency, all-or-nothing, and fresh reads after every write.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class ChannelWriteTests(AppHostFixture fixture) : IDisposable
{
    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    [Fact]
    public async Task Register_creates_then_updates()
    {
        var channelId = TestCatalog.NewChannelId();

        using var created = await _writer.PutAsJsonAsync($"/channels/{channelId}", new { title = "First title" });
        using var updated = await _writer.PutAsJsonAsync($"/channels/{channelId}", new { title = "Second & <title>" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        using var body = JsonDocument.Parse(await updated.Content.ReadAsStringAsync());
        Assert.Equal("Second & <title>", body.RootElement.GetProperty("title").GetString());
        Assert.Equal("Second & <title>", await fixture.Database.ScalarAsync<string>("SELECT title FROM channels WHERE id = $1", channelId));
        Assert.Empty(await ReadVideosAsync(channelId));
    }

    [Fact]
    public async Task Bulk_upsert_is_idempotent_and_the_next_read_is_fresh()
    {
        var channelId = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var videos = Enumerable.Range(0, 6)
            .Select(i => new { video_id = TestCatalog.NewVideoId(), video_title = $"Part {i}", published_at = day.AddHours(i).ToString("O") })
            .ToList();

        var first = await PutVideosAsync(channelId, videos);
        Assert.Equal((6, 6), first);
        Assert.Equal("Part 5", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString()); // now cached

        Assert.Equal((6, 0), await PutVideosAsync(channelId, videos)); // same again: nothing changes

        var newer = new { video_id = TestCatalog.NewVideoId(), video_title = "Breaking", published_at = day.AddDays(1).ToString("O") };
        Assert.Equal((1, 1), await PutVideosAsync(channelId, [newer]));
        // The write evicted both caches: the very next read shows it.
        Assert.Equal("Breaking", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString());
        Assert.Equal(7, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
    }

    [Fact]
    public async Task Invalid_videos_are_reported_per_field_and_nothing_is_written()
    {
        var channelId = TestCatalog.NewChannelId();
        object[] videos =
        [
            new { video_id = TestCatalog.NewVideoId(), video_title = "Fine", published_at = "2026-01-01T10:00:00Z" },
            new { video_id = "short", video_title = "Bad id", published_at = "2026-01-01T10:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = (string?)null, published_at = "2026-01-01T10:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = "No offset", published_at = "2026-01-01T10:00:00" },
            new { video_id = TestCatalog.NewVideoId(), video_title = "Future", published_at = "2999-01-01T00:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = new string('x', 201), published_at = "2026-01-01T10:00:00Z" },
        ];

        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(
            ["videos[1].video_id", "videos[2].video_title", "videos[3].published_at", "videos[4].published_at", "videos[5].video_title"],
            fields.Order());
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channels WHERE id = $1", channelId));
    }

    [Theory]
    [InlineData("/channels/not-a-channel", "PUT")]
    [InlineData("/channels/not-a-channel/videos", "PUT")]
    [InlineData("/channels/not-a-channel", "DELETE")]
    [InlineData("/channels/not-a-channel/refresh", "POST")]
    [InlineData("/channels/not-a-channel/cache", "DELETE")]
    public async Task Malformed_channel_ids_are_400(string path, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{\"title\":\"t\",\"videos\":[]}", Encoding.UTF8, "application/json"),
        };

        using var response = await _writer.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_json_too_many_videos_and_oversized_bodies_are_refused()
    {
        var channelId = TestCatalog.NewChannelId();

        using var malformed = await _writer.PutAsync($"/channels/{channelId}/videos",
            new StringContent("{\"videos\": [ {\"video_id\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var tooMany = Enumerable.Range(0, 501).Select(_ => new { video_id = TestCatalog.NewVideoId(), video_title = "t", published_at = "2026-01-01T00:00:00Z" });
        using var many = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos = tooMany });
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);

        var huge = new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = new string('x', 2_000_000), published_at = "2026-01-01T00:00:00Z" } } };
        using var oversized = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);

        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channels WHERE id = $1", channelId));
    }

    [Fact]
    public async Task Delete_removes_the_channel_and_its_cached_answers()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "Gone soon", published_at = "2026-01-01T00:00:00Z" }]);
        Assert.Single(await ReadVideosAsync(channelId)); // cached

        using var deleted = await _writer.DeleteAsync($"/channels/{channelId}");
        using var again = await _writer.DeleteAsync($"/channels/{channelId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
        // Not in the database, not in a cache, and YouTube (the fake) has never heard of it.
        using var read = await fixture.Api.GetAsync($"/videos?channel_id={channelId}&wait=true");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Refresh_is_queued_and_cache_eviction_drops_the_entry()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "v", published_at = "2026-01-01T00:00:00Z" }]);
        await ReadVideosAsync(channelId);
        Assert.True(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        using var evicted = await _writer.DeleteAsync($"/channels/{channelId}/cache");
        Assert.Equal(HttpStatusCode.NoContent, evicted.StatusCode);
        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        using var queued = await _writer.PostAsync($"/channels/{channelId}/refresh", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        using var unknown = await _writer.PostAsync($"/channels/{TestCatalog.NewChannelId()}/refresh", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_late_snapshot_never_overwrites_a_newer_put()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        var fetchedBeforeThePut = DateTimeOffset.UtcNow.AddMinutes(-1);
        await PutVideosAsync(channelId, [new { video_id = videoId, video_title = "Corrected title", published_at = "2026-01-01T00:00:00Z" }]);

        // A YouTube snapshot fetched a minute ago, persisted only now: its other video is news, its old title is not.
        var newVideo = TestCatalog.NewVideoId();
        await new SnapshotHandoff(fixture.Redis, TimeProvider.System).PublishAsync(new ChannelSnapshot(channelId, "Old channel title",
            [new FetchedVideo(videoId, "Old title", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
             new FetchedVideo(newVideo, "Fetched", new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero))],
            "data-api", fetchedBeforeThePut));

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", newVideo) == 1,
            TimeSpan.FromSeconds(30), "the snapshot is persisted");
        Assert.Equal("Corrected title", await fixture.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", videoId));
        Assert.Equal("Corrected title", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString());
    }

    [Fact]
    public async Task A_deleted_channel_stays_deleted_whatever_arrives_late_until_an_explicit_put()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "On YouTube", new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        await PutVideosAsync(channel.Id, [new { video_id = TestCatalog.NewVideoId(), video_title = "Stored", published_at = "2026-01-01T00:00:00Z" }]);
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);

        using (var deleted = await _writer.DeleteAsync($"/channels/{channel.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // Late arrivals: a hand-off entry (even one stamped after the delete) and the scheduled refresh.
        var lateId = await handoff.PublishAsync(new ChannelSnapshot(channel.Id, "Late", [new FetchedVideo(TestCatalog.NewVideoId(), "Late", DateTimeOffset.UtcNow.AddDays(-1))],
            "data-api", DateTimeOffset.UtcNow.AddSeconds(1)));
        await TestCatalog.EventuallyAsync(
            async () => (await fixture.Redis.GetDatabase().StreamRangeAsync(SnapshotHandoff.StreamKey, lateId, lateId)).Length == 0,
            TimeSpan.FromSeconds(30), "the late entry is processed");
        await Task.Delay(TimeSpan.FromSeconds(4)); // past a scheduled refresh run (every 3 s here)

        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channel.Id));
        Assert.NotNull(await fixture.Database.ScalarAsync<DateTime?>("SELECT deleted_at FROM channels WHERE id = $1", channel.Id));
        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channel.Id)));
        using (var read = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true"))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode); // and not fetched back from YouTube
            Assert.Contains("deleted", await read.Content.ReadAsStringAsync());
        }

        Assert.Equal(0, fixture.YouTube.Calls("channels", channel.Id, "VideoAspire.Api"));

        // An explicit PUT brings it back.
        using (var registered = await _writer.PutAsJsonAsync($"/channels/{channel.Id}", new { title = "Back" }))
        {
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        Assert.Empty(await ReadVideosAsync(channel.Id));
        Assert.Null(await fixture.Database.ScalarAsync<DateTime?>("SELECT deleted_at FROM channels WHERE id = $1", channel.Id));
        // ...and its answers are cached again: the write removed the tombstone that kept fills out.
        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.DeletedChannel(channel.Id)));
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channel.Id)),
            TimeSpan.FromSeconds(5), "the read after the PUT fills the latest-five entry");
    }

    [Fact]
    public async Task A_put_naming_a_video_of_another_channel_is_a_409_and_moves_nothing()
    {
        var owner = TestCatalog.NewChannelId();
        var other = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        await PutVideosAsync(owner, [new { video_id = videoId, video_title = "Mine", published_at = "2026-01-01T00:00:00Z" }]);

        using var response = await _writer.PutAsJsonAsync($"/channels/{other}/videos", new
        {
            videos = new[]
            {
                new { video_id = TestCatalog.NewVideoId(), video_title = "Fine", published_at = "2026-01-02T00:00:00Z" },
                new { video_id = videoId, video_title = "Stolen", published_at = "2026-01-01T00:00:00Z" },
            },
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(videoId, await response.Content.ReadAsStringAsync());
        Assert.Equal(owner, await fixture.Database.ScalarAsync<string>("SELECT channel_id FROM videos WHERE video_id = $1", videoId));
        Assert.Equal("Mine", await fixture.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", videoId));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", other));
    }

    [Fact]
    public async Task An_eviction_that_fails_while_redis_is_down_is_applied_when_it_returns()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "Before", published_at = "2026-01-01T00:00:00Z" }]);
        Assert.Equal("Before", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString()); // cached in Redis

        await using (await fixture.StopRedisAsync())
        {
            // The write succeeds (the database is the truth); the eviction cannot happen yet.
            await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "After", published_at = "2026-01-02T00:00:00Z" }]);
        }

        // Redis is back with the old answers in it: the recorded eviction lands, well before their 5-minute TTL.
        await TestCatalog.EventuallyAsync(
            async () => (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString() == "After",
            TimeSpan.FromSeconds(30), "the next reads show the write");
    }

    private async Task<(int Received, int Changed)> PutVideosAsync(string channelId, IEnumerable<object> videos)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("received").GetInt32(), body.RootElement.GetProperty("changed").GetInt32());
    }

    private Task<List<JsonElement>> ReadVideosAsync(string channelId) =>
        fixture.ReadVideosAsync($"/videos?channel_id={channelId}", channelId);
}
