using System.Text.Json;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class VideosApiTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset Day = new(2026, 3, 14, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Demo_channel_answers_with_five_videos_newest_first()
    {
        var videos = await GetVideosAsync("/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2d", "UC0032Wkd3aCT4rRi1YOVc2d");

        Assert.Equal(5, videos.Count);
        var published = videos.Select(v => v.GetProperty("published_at").GetDateTimeOffset()).ToList();
        Assert.Equal(published.OrderByDescending(p => p), published);
    }

    [Fact]
    public async Task Response_has_the_documented_shape_and_orders_by_full_datetime()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        // Inserted out of order; two pairs share a calendar day and differ only by time.
        (string Id, DateTimeOffset At)[] seeded =
        [
            (TestCatalog.NewVideoId(), Day.AddHours(9)),
            (TestCatalog.NewVideoId(), Day.AddDays(-3)),
            (TestCatalog.NewVideoId(), Day.AddHours(18).AddMinutes(30)),
            (TestCatalog.NewVideoId(), Day.AddDays(-10)),
            (TestCatalog.NewVideoId(), Day.AddDays(-3).AddHours(23)),
            (TestCatalog.NewVideoId(), Day.AddDays(-20)),
            (TestCatalog.NewVideoId(), Day.AddDays(-1)),
        ];
        foreach (var (id, at) in seeded)
        {
            await fixture.Database.AddVideoAsync(channelId, id, $"Video {id} \"quoted\" & <angled> — ünïcode", at);
        }

        using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var root = body.RootElement.EnumerateObject().ToList();
        Assert.Equal(channelId, Assert.Single(root).Name);
        var videos = root[0].Value.EnumerateArray().ToList();

        var expected = seeded.OrderByDescending(v => v.At).Take(5).ToList();
        Assert.Equal(expected.Select(v => v.Id), videos.Select(v => v.GetProperty("video_id").GetString()));
        foreach (var (video, (id, at)) in videos.Zip(expected))
        {
            Assert.Equal(["video_id", "video_title", "upload_date", "published_at"], video.EnumerateObject().Select(p => p.Name));
            Assert.Equal($"Video {id} \"quoted\" & <angled> — ünïcode", video.GetProperty("video_title").GetString());
            Assert.Equal(at.UtcDateTime.ToString("yyyy-MM-dd"), video.GetProperty("upload_date").GetString());
            Assert.EndsWith("Z", video.GetProperty("published_at").GetString());
            Assert.Equal(at, video.GetProperty("published_at").GetDateTimeOffset());
        }
    }

    [Fact]
    public async Task Legacy_alias_returns_the_same_answer()
    {
        const string channelId = "UC6qq5ZRn_epjgdKwtgmeSd3";
        var viaVideos = await fixture.Api.GetStringAsync($"/videos?channel_id={channelId}");
        var viaAlias = await fixture.Api.GetStringAsync($"/video/?channel_id={channelId}");

        Assert.Equal(viaVideos, viaAlias);
        Assert.Contains(channelId, viaAlias);
    }

    [Fact]
    public async Task Known_channel_without_videos_answers_an_empty_list()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);

        var videos = await GetVideosAsync($"/videos?channel_id={channelId}", channelId);

        Assert.Empty(videos);
    }

    [Theory]
    [InlineData("/videos")]
    [InlineData("/videos?channel_id=")]
    [InlineData("/videos?channel_id=UC123")]
    [InlineData("/videos?channel_id=XX0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2!")]
    [InlineData("/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2d%0A")]
    [InlineData("/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2dUC0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("/videos?channel_id=%27%3B%20DROP%20TABLE%20videos%3B--")]
    [InlineData("/video/?channel_id=nope")]
    public async Task Malformed_channel_id_is_a_400_problem(string path)
    {
        using var response = await fixture.Api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("channel_id", out _));
    }

    [Theory]
    [InlineData("wait=abc", "wait")]
    [InlineData("wait=1%27%20OR", "wait")]
    public async Task A_query_value_of_the_wrong_type_is_a_400_naming_the_parameter(string query, string parameter)
    {
        using var response = await fixture.Api.GetAsync($"/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2d&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Invalid query or route value", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains(parameter, problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("JSON", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_channel_is_a_404_problem()
    {
        // wait=true: on a loaded machine the YouTube stand-in may answer after the cold-fetch budget (a 202, tested apart).
        using var response = await fixture.Api.GetAsync($"/videos?channel_id={TestCatalog.NewChannelId()}&wait=true");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":404", body);
        Assert.DoesNotContain("   at ", body); // no stack trace
    }

    [Fact]
    public async Task First_read_fills_the_redis_entry_and_later_reads_are_served_from_it()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        var videoId = TestCatalog.NewVideoId();
        await fixture.Database.AddVideoAsync(channelId, videoId, "Cached once", Day);
        var redis = fixture.Redis.GetDatabase();
        var key = CacheKeys.LatestVideos(channelId);
        Assert.False(await redis.KeyExistsAsync(key));

        await GetVideosAsync($"/videos?channel_id={channelId}", channelId);

        // The fill is sent without waiting for Redis (it must not add a round trip to the answer): it lands just after.
        await TestCatalog.EventuallyAsync(() => redis.KeyExistsAsync(key), TimeSpan.FromSeconds(2), "the latest-five entry is written");
        var ttl = await redis.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15)); // fresh for Cache:Ttl, then stale for Cache:MaxStaleness
        Assert.Contains(videoId, (string?)await redis.StringGetAsync(key));

        // Remove the rows: an answer that still lists the video can only have come from Redis.
        // (The alias path is a different output-cache entry, so the output cache cannot answer it.)
        await fixture.Database.ExecuteAsync("DELETE FROM videos WHERE channel_id = $1", channelId);
        var videos = await GetVideosAsync($"/video/?channel_id={channelId}", channelId);
        Assert.Equal(videoId, Assert.Single(videos).GetProperty("video_id").GetString());
    }

    [Fact]
    public async Task A_change_to_a_channel_evicts_its_cached_answers()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Old upload", Day);
        var path = $"/videos?channel_id={channelId}";
        await GetVideosAsync(path, channelId); // now in Redis and in the output cache

        var newVideoId = TestCatalog.NewVideoId();
        await fixture.Database.AddVideoAsync(channelId, newVideoId, "New upload", Day.AddDays(1));

        // The Worker notices the change for recently read channels, rewrites the entry and evicts the output cache.
        await TestCatalog.EventuallyAsync(async () =>
        {
            var videos = await GetVideosAsync(path, channelId);
            return videos[0].GetProperty("video_id").GetString() == newVideoId;
        }, TimeSpan.FromSeconds(30), "the new upload is served");
    }

    [Fact]
    public async Task Reads_keep_last_accessed_at_current_in_batches()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        Assert.Null(await fixture.Database.ScalarAsync<DateTime?>("SELECT last_accessed_at FROM channels WHERE id = $1", channelId));

        await GetVideosAsync($"/videos?channel_id={channelId}", channelId);

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<DateTime?>("SELECT last_accessed_at FROM channels WHERE id = $1", channelId) is not null,
            TimeSpan.FromSeconds(15), "last_accessed_at is written");
    }

    [Fact]
    public async Task Health_endpoints_report_healthy()
    {
        Assert.Equal("Healthy", await fixture.Api.GetStringAsync("/health"));
        Assert.Equal("Healthy", await fixture.Api.GetStringAsync("/alive"));
    }

    [Fact]
    public async Task Concurrent_readiness_probes_share_one_check_instead_of_one_database_connection_each()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => fixture.Api.GetAsync("/health")));
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));

        // Each probe checking on its own opened up to a hundred connections per Api instance (its pool's limit), which
        // then stayed open, idle, and PostgreSQL (200 connections) refused everyone else.
        var connections = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = 'videosdb'");
        Assert.True(connections < 100, $"{connections} connections to PostgreSQL after 300 concurrent probes");
    }

    private Task<List<JsonElement>> GetVideosAsync(string path, string channelId) => fixture.ReadVideosAsync(path, channelId);
}
