using System.Text.Json;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>Dependencies fail; callers still get answers.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DegradationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Redis_down_is_served_from_postgres()
    {
        var warmChannel = TestCatalog.NewChannelId();   // read before the outage: in Redis and the output cache
        var coldChannel = TestCatalog.NewChannelId();   // never read before
        foreach (var channelId in new[] { warmChannel, coldChannel })
        {
            await fixture.Database.AddChannelAsync(channelId);
            await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Still here", DateTimeOffset.UtcNow.AddDays(-1));
        }

        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync($"/videos?channel_id={warmChannel}")).StatusCode);

        await using (await fixture.StopRedisAsync())
        {
            foreach (var channelId in new[] { warmChannel, coldChannel })
            {
                using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal("Still here", body.RootElement.GetProperty(channelId)[0].GetProperty("video_title").GetString());
            }

            using var unknown = await fixture.Api.GetAsync($"/videos?channel_id={TestCatalog.NewChannelId()}&wait=true");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }

    [Fact]
    public async Task PostgreSQL_down_serves_caches_and_youtube_and_loses_nothing()
    {
        var cached = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(cached);
        await fixture.Database.AddVideoAsync(cached, TestCatalog.NewVideoId(), "From the cache", DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync($"/videos?channel_id={cached}")).StatusCode);
        var cold = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        cold.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Fetched during the outage", DateTimeOffset.UtcNow.AddHours(-3)));
        var nowhere = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        nowhere.Api = ApiMode.ServerError;
        nowhere.Feed = FeedMode.ServerError;

        await using (await fixture.StopPostgresAsync())
        {
            using var fromCache = await fixture.Api.GetAsync($"/videos?channel_id={cached}");
            Assert.Equal(HttpStatusCode.OK, fromCache.StatusCode);

            using var fromYouTube = await fixture.Api.GetAsync($"/videos?channel_id={cold.Id}&wait=true");
            Assert.Equal(HttpStatusCode.OK, fromYouTube.StatusCode);
            Assert.Contains("Fetched during the outage", await fromYouTube.Content.ReadAsStringAsync());

            using var unavailable = await fixture.Api.GetAsync($"/videos?channel_id={nowhere.Id}&wait=true");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal("application/problem+json", unavailable.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(unavailable.Headers.RetryAfter);
        }

        // The hand-off waited in Redis while PostgreSQL was away: nothing fetched during the outage is lost.
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", cold.Id) == 1,
            TimeSpan.FromSeconds(90), "the video fetched during the outage is persisted");
    }

    [Fact]
    public async Task Unexpected_failures_are_500_problem_details_without_internals()
    {
        // A fault no code path expects (the table is briefly gone: a botched manual migration, say).
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.ExecuteAsync("ALTER TABLE videos RENAME TO videos_moved_away");
        try
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"status\":500", body);
            Assert.DoesNotContain("   at ", body);
            Assert.DoesNotContain("videos_moved_away", body);
            Assert.DoesNotContain("Exception", body);
        }
        finally
        {
            await fixture.Database.ExecuteAsync("ALTER TABLE videos_moved_away RENAME TO videos");
        }
    }

    [Fact]
    public async Task Redis_evicts_least_recently_used_keys_within_a_memory_bound()
    {
        var server = fixture.Redis.GetServers().Single();

        var policy = await server.ConfigGetAsync("maxmemory-policy");
        var maxMemory = await server.ConfigGetAsync("maxmemory");

        Assert.Equal("allkeys-lru", policy.Single().Value);
        Assert.True(long.Parse(maxMemory.Single().Value) > 0, "maxmemory is bounded");
    }
}
