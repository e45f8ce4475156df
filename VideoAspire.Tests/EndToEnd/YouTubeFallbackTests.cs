using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Api.Security;
using VideoAspire.Api.Videos;
using VideoAspire.Data;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>Channels the database does not know: fetched from (fake) YouTube, answered at once, persisted by the Worker.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(FaultsCollection.Name)]
public sealed class YouTubeFallbackTests(FaultsAppHostFixture fixture)
{
    private const string TrickyTitle = "Ünïcödé \"quotes\" & <tags> — 日本語 'apostrophe' &amp; literal";
    private static readonly DateTimeOffset Day = new(2026, 5, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Cold_channel_comes_from_the_data_api_sorted_by_video_published_at()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), "Cold & \"new\"");
        // Out of order on purpose; two on the same day.
        AddVideos(channel, Day.AddHours(8), Day.AddDays(-5), Day.AddHours(20), Day.AddDays(-1), Day.AddDays(-30), Day.AddDays(-2), Day.AddDays(-9));
        channel.Videos[2] = channel.Videos[2] with { Title = TrickyTitle };

        var videos = await GetVideosAsync(channel.Id);

        var expected = channel.Videos.OrderByDescending(v => v.PublishedAt).Take(5).ToList();
        Assert.Equal(expected.Select(v => v.VideoId), videos.Select(v => v.GetProperty("video_id").GetString()));
        Assert.Equal(expected.Select(v => v.PublishedAt), videos.Select(v => v.GetProperty("published_at").GetDateTimeOffset()));
        Assert.Equal(TrickyTitle, videos[0].GetProperty("video_title").GetString());
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems", channel.Id));
        Assert.Equal(0, fixture.YouTube.Calls("feed", channel.Id));
    }

    [Fact]
    public async Task A_long_title_is_cut_between_characters_not_inside_a_surrogate_pair()
    {
        // 199 letters then an emoji (two UTF-16 units): cutting at 200 units would leave half of it.
        var longTitle = new string('a', 199) + "\U0001F600 and more";
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day);
        channel.Videos[0] = channel.Videos[0] with { Title = longTitle };

        await GetVideosAsync(channel.Id);

        await TestCatalog.EventuallyAsync(
            async () => await VideoCountAsync(channel.Id) == 1, TimeSpan.FromSeconds(20), "the video is stored");
        Assert.Equal(new string('a', 199), await fixture.Database.ScalarAsync<string>(
            "SELECT title FROM videos WHERE channel_id = $1", channel.Id));
    }

    [Theory]
    [InlineData(ApiMode.QuotaExceeded)]
    [InlineData(ApiMode.KeyInvalid)]
    [InlineData(ApiMode.ServerError)]
    public async Task Data_api_problems_fall_back_to_the_feed(ApiMode mode)
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Api = mode;
        AddVideos(channel, Day, Day.AddDays(-1), Day.AddDays(-2));
        channel.Videos[0] = channel.Videos[0] with { Title = TrickyTitle };

        var videos = await GetVideosAsync(channel.Id);

        Assert.Equal(channel.Videos.Select(v => v.VideoId), videos.Select(v => v.GetProperty("video_id").GetString()));
        Assert.Equal(TrickyTitle, videos[0].GetProperty("video_title").GetString());
        Assert.Equal(1, fixture.YouTube.Calls("feed", channel.Id));
    }

    [Fact]
    public async Task Unknown_channel_is_404_and_remembered()
    {
        var channelId = TestCatalog.NewChannelId(); // the fake knows nothing of it

        for (var i = 0; i < 3; i++)
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // The negative cache: YouTube was asked once, not three times.
        Assert.Equal(1, fixture.YouTube.Calls("channels", channelId));
    }

    [Fact]
    public async Task Channel_without_uploads_is_an_empty_list()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.HasUploads = false; // playlistItems answers 404 playlistNotFound

        Assert.Empty(await GetVideosAsync(channel.Id));

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channels WHERE id = $1", channel.Id) == 1,
            TimeSpan.FromSeconds(20), "the channel is stored");
    }

    [Theory]
    [InlineData(ApiMode.ServerError, FeedMode.ServerError)]
    [InlineData(ApiMode.Hang, FeedMode.Hang)]
    [InlineData(ApiMode.QuotaExceeded, FeedMode.ServerError)]
    public async Task Both_sources_down_is_a_quick_503(ApiMode api, FeedMode feed)
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), api: api, feed: feed);

        var stopwatch = Stopwatch.StartNew();
        using var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true");
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        // Bounded by configuration (3 s per source here), not hung: a generous ceiling, not a benchmark.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Past_the_daily_data_api_budget_only_the_feed_is_asked()
    {
        // The day's shared counter (all replicas, all services) at the budget: as if strangers had spent it.
        var redis = fixture.Redis.GetDatabase();
        var key = VideoAspire.Redis.Quota.DataApiQuota.KeyFor(DateTimeOffset.UtcNow);
        var spent = (long?)await redis.StringGetAsync(key) ?? 0;
        await redis.StringSetAsync(key, AppHostFixture.DailyQuotaUnits, expiry: null, keepTtl: true);
        try
        {
            var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
            AddVideos(channel, Day, Day.AddDays(-1));

            var videos = await GetVideosAsync(channel.Id);

            Assert.Equal(2, videos.Count);
            Assert.Equal(0, fixture.YouTube.Calls("channels", channel.Id) + fixture.YouTube.Calls("playlistItems", channel.Id));
            Assert.Equal(1, fixture.YouTube.Calls("feed", channel.Id));
            Assert.Equal(AppHostFixture.DailyQuotaUnits, (long)await redis.StringGetAsync(key)); // refused calls are not counted as spent
        }
        finally
        {
            await redis.StringSetAsync(key, spent, expiry: null, keepTtl: true);
        }
    }

    [Fact]
    public async Task Data_api_units_are_counted_in_the_shared_daily_budget()
    {
        var redis = fixture.Redis.GetDatabase();
        var key = VideoAspire.Redis.Quota.DataApiQuota.KeyFor(DateTimeOffset.UtcNow);
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day);
        var before = (long?)await redis.StringGetAsync(key) ?? 0;

        await GetVideosAsync(channel.Id);

        // channels.list + playlistItems.list (other tests may spend units meanwhile: at least these two).
        Assert.True((long)await redis.StringGetAsync(key) >= before + 2);
        Assert.True(await redis.KeyTimeToLiveAsync(key) > TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_stalled_body_ends_within_the_budget_and_does_not_pin_the_channel()
    {
        // Headers, the start of a body, then silence: from both sources.
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day, Day.AddDays(-1));
        channel.Api = ApiMode.StallBody;
        channel.Feed = FeedMode.StallBody;

        var stopwatch = Stopwatch.StartNew();
        using (var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        // Three calls of at most 3 s each here: a generous ceiling, not a benchmark.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");

        // The abandoned fetch left nothing behind (no in-flight entry, no lock): once YouTube answers, so do we,
        // on every replica (several reads go through the proxy to both).
        channel.Api = ApiMode.Ok;
        channel.Feed = FeedMode.Ok;
        for (var i = 0; i < 4; i++)
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_few_failing_channels_do_not_open_the_breaker_for_every_other_channel()
    {
        // Ten channels whose every call fails (5xx from both sources), asked again and again: hundreds of failed
        // calls on each replica's Data API and feed pipelines within the breakers' sampling window.
        var failing = Enumerable.Range(0, 10)
            .Select(_ => fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.ServerError, feed: FeedMode.ServerError))
            .ToList();
        for (var round = 0; round < 12; round++)
        {
            // A caller per round: this is about the breaker, not the per-caller cold-lookup allowance.
            using var caller = fixture.CreateApiClient(TestTokens.Create(Api.Security.Scopes.VideosRead, subject: $"breaker-{round}-{Guid.NewGuid():N}"));
            var responses = await Task.WhenAll(failing.Select(c => caller.GetAsync($"/videos?channel_id={c.Id}&wait=true")));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        }

        // Every other channel still reaches YouTube, on both replicas.
        for (var i = 0; i < 4; i++)
        {
            var healthy = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
            AddVideos(healthy, Day);
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={healthy.Id}&wait=true");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Forty_concurrent_cold_requests_cost_one_upstream_fetch()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day, Day.AddDays(-1));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            fixture.Api.GetAsync((i % 2 == 0 ? "/videos" : "/video/") + $"?channel_id={channel.Id}&wait=true")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, fixture.YouTube.Calls("channels", channel.Id, "VideoAspire.Api"));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems", channel.Id, "VideoAspire.Api"));
    }

    [Fact]
    public async Task A_fetch_stored_and_uncached_by_the_worker_meanwhile_is_not_fetched_again()
    {
        // The race behind an occasional second upstream call: a caller misses the cache and the database, another
        // instance fetches the channel, the Worker stores it and drops its cache entry; only then does the caller get
        // the fetch lock. It must find the channel in the database rather than ask YouTube again.
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day);
        await fixture.Database.AddChannelAsync(channel.Id);
        await fixture.Database.AddVideoAsync(channel.Id, channel.Videos[0].VideoId, "Stored by the Worker", Day);

        using var api = await fixture.BuildApiServicesAsync(new Dictionary<string, string?>
        {
            ["YouTube:ApiKey"] = FakeYouTube.ApiKey,
            ["YouTube:ApiBaseUrl"] = fixture.YouTube.BaseUrl,
            ["YouTube:FeedBaseUrl"] = fixture.YouTube.BaseUrl,
        });
        var fetcher = api.Services.GetRequiredService<ColdChannelFetcher>();

        var lookup = await fetcher.FetchAsync(channel.Id, VideoKind.All, wait: true, new Caller("race-test", null), CancellationToken.None);

        var found = Assert.IsType<VideosLookup.Found>(lookup);
        Assert.Equal("Stored by the Worker", Assert.Single(found.Videos).VideoTitle);
        Assert.Equal(0, fixture.YouTube.Calls("channels", channel.Id));
    }

    [Fact]
    public async Task Ties_on_publish_time_are_broken_the_same_way_by_the_fetch_and_by_postgresql()
    {
        // Six uploads in the same second whose ids sort differently by code point and by a linguistic collation
        // (case, '-', '_'): the answer fetched from YouTube and the one read back from PostgreSQL must agree.
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        foreach (var first in new[] { "a", "B", "-", "_", "0", "z" })
        {
            channel.Videos.Add(new FakeVideo(first + TestCatalog.NewVideoId()[1..], "Same second", Day));
        }

        var expected = channel.Videos.Select(v => v.VideoId).OrderDescending(StringComparer.Ordinal).Take(5).ToList();

        var fetched = await GetVideosAsync(channel.Id);
        Assert.Equal(expected, fetched.Select(v => v.GetProperty("video_id").GetString()));

        await TestCatalog.EventuallyAsync(async () => await VideoCountAsync(channel.Id) == channel.Videos.Count,
            TimeSpan.FromSeconds(20), "the fetch is stored");
        var stored = await fixture.Database.GetLatestVideosAsync(channel.Id, CancellationToken.None);
        Assert.Equal(expected, stored.Videos.Select(v => v.VideoId));
        Assert.Equal("C", await fixture.Database.ScalarAsync<string>(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'videos' AND column_name = 'video_id'"));
    }

    [Fact]
    public async Task Fetched_videos_reach_postgres_shortly_after_the_answer()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), "Persisted channel");
        AddVideos(channel, Day, Day.AddDays(-1), Day.AddDays(-2), Day.AddDays(-3), Day.AddDays(-4), Day.AddDays(-5), Day.AddDays(-6));

        await GetVideosAsync(channel.Id);

        await TestCatalog.EventuallyAsync(
            async () => await VideoCountAsync(channel.Id) == channel.Videos.Count,
            TimeSpan.FromSeconds(20), "every fetched video is stored");
        Assert.Equal("Persisted channel", await fixture.Database.ScalarAsync<string>("SELECT title FROM channels WHERE id = $1", channel.Id));
        Assert.NotNull(await fixture.Database.ScalarAsync<DateTime?>("SELECT last_refreshed_at FROM channels WHERE id = $1", channel.Id));
    }

    [Fact]
    public async Task Nothing_is_lost_while_the_worker_is_down()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day, Day.AddDays(-1), Day.AddDays(-2), Day.AddDays(-3));

        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        try
        {
            // The caller's trace (W3C traceparent) must travel with the hand-off, so the Worker's work joins it.
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={channel.Id}&wait=true");
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await fixture.Api.SendAsync(request); // answered at once, handed off to nobody yet
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(0, await VideoCountAsync(channel.Id));
            var entries = await fixture.Redis.GetDatabase().StreamRangeAsync(SnapshotHandoff.StreamKey);
            var entry = Assert.Single(entries, e => ((string?)e["snapshot"])?.Contains(channel.Id) == true);
            Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", (string?)entry["traceparent"]);
        }
        finally
        {
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        await TestCatalog.EventuallyAsync(
            async () => await VideoCountAsync(channel.Id) == channel.Videos.Count,
            TimeSpan.FromSeconds(60), "the restarted Worker persists every video");
        Assert.Equal(channel.Videos.Count, await fixture.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT video_id) FROM videos WHERE channel_id = $1", channel.Id));
    }

    [Fact]
    public async Task An_entry_abandoned_mid_batch_by_a_dead_worker_is_taken_over()
    {
        var channelId = TestCatalog.NewChannelId();
        var snapshot = new ChannelSnapshot(channelId, "Abandoned", [new FetchedVideo(TestCatalog.NewVideoId(), "Orphan", Day)], "test", DateTimeOffset.UtcNow);
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);

        // A consumer that reads the entry and dies before acknowledging it.
        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        try
        {
            await handoff.EnsureConsumerGroupAsync();
            await handoff.PublishAsync(snapshot);
            var read = await handoff.ReadNewAsync("crashed-replica", 100);
            Assert.Contains(read, m => m.Snapshot?.ChannelId == channelId);
        }
        finally
        {
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        await TestCatalog.EventuallyAsync(async () => await VideoCountAsync(channelId) == 1,
            TimeSpan.FromSeconds(60), "another consumer claims and persists the abandoned entry");
        var pending = await redis.StreamPendingAsync(SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup);
        Assert.DoesNotContain(pending.Consumers ?? [], c => c.Name == "crashed-replica" && c.PendingMessageCount > 0);
    }

    [Fact]
    public async Task Malformed_hand_off_entries_go_to_the_dead_letter_stream_without_blocking_the_rest()
    {
        var channelId = TestCatalog.NewChannelId();
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);
        await handoff.EnsureConsumerGroupAsync();
        var deadBefore = await redis.StreamLengthAsync(SnapshotHandoff.DeadLetterKey);

        // Hostile or broken writers: not JSON, no fields, a channel id that is not one, and JSON that parses but whose
        // videos are {} or null (these used to reach the write and throw there, blocking the stream for good).
        string[] junk =
        [
            "{not json",
            "{\"ChannelId\":\"'; DROP TABLE videos; --\",\"Title\":null,\"Videos\":[],\"Source\":\"x\",\"FetchedAt\":\"2026-01-01T00:00:00Z\"}",
            $"{{\"ChannelId\":\"{channelId}\",\"Title\":\"t\",\"Videos\":[{{}}],\"Source\":\"x\",\"FetchedAt\":\"2026-01-01T00:00:00Z\"}}",
            $"{{\"ChannelId\":\"{channelId}\",\"Title\":\"t\",\"Videos\":[null],\"Source\":\"x\",\"FetchedAt\":\"2026-01-01T00:00:00Z\"}}",
        ];
        var junkIds = new List<string>();
        foreach (var value in junk)
        {
            junkIds.Add((await redis.StreamAddAsync(SnapshotHandoff.StreamKey, "snapshot", value))!);
        }

        junkIds.Add((await redis.StreamAddAsync(SnapshotHandoff.StreamKey, "unexpected", "field"))!);
        await handoff.PublishAsync(new ChannelSnapshot(channelId, "After the junk",
            [new FetchedVideo(TestCatalog.NewVideoId(), "Still persisted", Day)], "test", DateTimeOffset.UtcNow));

        await TestCatalog.EventuallyAsync(async () => await VideoCountAsync(channelId) == 1,
            TimeSpan.FromSeconds(30), "the valid entry behind the junk is persisted");
        await TestCatalog.EventuallyAsync(async () => await redis.StreamLengthAsync(SnapshotHandoff.StreamKey) == 0,
            TimeSpan.FromSeconds(30), "the junk leaves the hand-off stream");

        // Kept, not dropped: every junk entry is in the dead-letter stream, with where it came from and why.
        var dead = await redis.StreamRangeAsync(SnapshotHandoff.DeadLetterKey, messageOrder: StackExchange.Redis.Order.Descending, count: 50);
        var deadFrom = dead.ToDictionary(e => (string)e["dead_lettered_from"]!, e => (string?)e["reason"]);
        Assert.All(junkIds, id => Assert.True(deadFrom.ContainsKey(id), $"{id} is dead-lettered"));
        Assert.All(junkIds, id => Assert.StartsWith("unreadable", deadFrom[id]));
        Assert.True(await redis.StreamLengthAsync(SnapshotHandoff.DeadLetterKey) >= deadBefore + junkIds.Count);
    }

    [Fact]
    public async Task An_entry_several_consumers_hold_at_once_is_dead_lettered_once()
    {
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);
        await handoff.EnsureConsumerGroupAsync();
        var id = (string)(await redis.StreamAddAsync(SnapshotHandoff.StreamKey, "snapshot", "{unreadable"))!;
        // This test as a third consumer holding the entry (taking it over if a Worker already read it), racing both
        // Workers: as when one claims an entry from a slow other that then finishes too.
        await redis.StreamClaimAsync(SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup, "racing-consumer", 0, [id]);
        var message = new HandoffMessage(id, null, "unreadable", DateTimeOffset.UtcNow, null,
            [new StackExchange.Redis.NameValueEntry("snapshot", "{unreadable")]);

        await Task.WhenAll(handoff.DeadLetterAsync(message, "unreadable"), handoff.DeadLetterAsync(message, "unreadable"));

        await TestCatalog.EventuallyAsync(async () => (await redis.StreamRangeAsync(SnapshotHandoff.StreamKey, id, id)).Length == 0,
            TimeSpan.FromSeconds(30), "the entry leaves the hand-off");
        await Task.Delay(TimeSpan.FromSeconds(1)); // whoever else held it has had its turn
        var dead = await redis.StreamRangeAsync(SnapshotHandoff.DeadLetterKey, messageOrder: StackExchange.Redis.Order.Descending, count: 200);
        Assert.Single(dead, e => (string?)e["dead_lettered_from"] == id);
    }

    [Fact]
    public async Task A_hand_off_entry_failing_transiently_is_kept_and_retried_not_dead_lettered()
    {
        var channelId = TestCatalog.NewChannelId();
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);
        string entryId;

        await using (await fixture.StopPostgresAsync())
        {
            entryId = await handoff.PublishAsync(new ChannelSnapshot(channelId, "Waits for PostgreSQL",
                [new FetchedVideo(TestCatalog.NewVideoId(), "Kept", Day)], "test", DateTimeOffset.UtcNow));

            // Delivered (and counted in Redis, so the limit holds across restarts), kept in the stream, not dead-lettered.
            await TestCatalog.EventuallyAsync(async () => (long?)await redis.HashGetAsync(SnapshotHandoff.DeliveriesKey, entryId) >= 1,
                TimeSpan.FromSeconds(30), "the entry is attempted");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(await redis.StreamRangeAsync(SnapshotHandoff.StreamKey, entryId, entryId));
        }

        await TestCatalog.EventuallyAsync(async () => await VideoCountAsync(channelId) == 1,
            TimeSpan.FromSeconds(90), "the entry is persisted once PostgreSQL is back");
        // Acknowledged (and its delivery count dropped) right after the commit that stored it.
        await TestCatalog.EventuallyAsync(async () => !await redis.HashExistsAsync(SnapshotHandoff.DeliveriesKey, entryId),
            TimeSpan.FromSeconds(5), "the entry's delivery count is dropped once it is persisted");
        var dead = await redis.StreamRangeAsync(SnapshotHandoff.DeadLetterKey, messageOrder: StackExchange.Redis.Order.Descending, count: 50);
        Assert.DoesNotContain(dead, e => (string?)e["dead_lettered_from"] == entryId);
    }

    [Fact]
    public async Task Redis_down_persists_in_process_every_snapshot_not_only_the_first()
    {
        // Several cold channels while Redis is down: each write succeeds even though its cache eviction cannot, so the
        // queue moves on (it used to retry the first snapshot forever, its eviction throwing AggregateException).
        var channels = Enumerable.Range(0, 3).Select(_ => fixture.YouTube.AddChannel(TestCatalog.NewChannelId())).ToList();
        foreach (var channel in channels)
        {
            AddVideos(channel, Day, Day.AddDays(-1), Day.AddDays(-2));
        }

        await using (await fixture.StopRedisAsync())
        {
            foreach (var channel in channels)
            {
                Assert.Equal(3, (await GetVideosAsync(channel.Id)).Count);
            }

            await TestCatalog.EventuallyAsync(async () =>
                {
                    foreach (var channel in channels)
                    {
                        if (await VideoCountAsync(channel.Id) != 3)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(30), "the Api persists every snapshot in-process while Redis is still down");
        }
    }

    [Fact]
    public async Task Recently_read_channels_are_refreshed_from_youtube_on_schedule()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        AddVideos(channel, Day, Day.AddDays(-1));
        await GetVideosAsync(channel.Id);
        await TestCatalog.EventuallyAsync(async () => await VideoCountAsync(channel.Id) == 2,
            TimeSpan.FromSeconds(20), "the first fetch is stored");

        var upload = new FakeVideo(TestCatalog.NewVideoId(), "Uploaded later", Day.AddDays(1));
        channel.Videos.Add(upload);

        // The Worker re-fetches it, stores the upload, refreshes the cache and evicts the cached responses.
        await TestCatalog.EventuallyAsync(async () =>
        {
            var videos = await GetVideosAsync(channel.Id);
            return videos[0].GetProperty("video_id").GetString() == upload.VideoId;
        }, TimeSpan.FromSeconds(40), "the new upload is served");
        Assert.True(fixture.YouTube.Calls("playlistItems", channel.Id, "VideoAspire.Worker") >= 1);
    }

    [Fact]
    public async Task A_channel_youtube_no_longer_has_is_stamped_and_refreshed_ever_less_often()
    {
        // Stored and still read, but terminated on YouTube (the fake has never heard of it).
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.ExecuteAsync(
            "INSERT INTO channels (id, title, created_at, last_accessed_at) VALUES ($1, 'Terminated', now(), now())", channelId);

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<int>("SELECT refresh_failures FROM channels WHERE id = $1", channelId) >= 1,
            TimeSpan.FromSeconds(30), "the refresh stamps it");
        Assert.NotNull(await fixture.Database.ScalarAsync<DateTime?>("SELECT last_refreshed_at FROM channels WHERE id = $1", channelId));

        // Runs every 3 s here; backing off (6 s, then 12 s), it is asked about at most twice in the next 9 s, not 3-4 times.
        var before = fixture.YouTube.Calls("channels", channelId, "VideoAspire.Worker");
        await Task.Delay(TimeSpan.FromSeconds(9));
        Assert.True(fixture.YouTube.Calls("channels", channelId, "VideoAspire.Worker") - before <= 2);
    }

    /// <summary>
    /// The stalest channel keeps failing (5xx from both sources) or stalls (headers, then nothing: each call gives up
    /// after YouTube:TotalTimeout, 3 s here): the run moves on to the next channel instead of stopping or hanging.
    /// </summary>
    [Theory]
    [InlineData(ApiMode.ServerError, FeedMode.ServerError)]
    [InlineData(ApiMode.StallBody, FeedMode.StallBody)]
    public async Task A_channel_that_fails_or_stalls_does_not_stop_the_refresh_of_the_others(ApiMode api, FeedMode feed)
    {
        var failing = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), api: api, feed: feed);
        var healthy = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        var upload = new FakeVideo(TestCatalog.NewVideoId(), "Refreshed despite the other", Day);
        healthy.Videos.Add(upload);
        // Both read recently; the failing one is the stalest, so it comes first in every run.
        await fixture.Database.ExecuteAsync("""
            INSERT INTO channels (id, title, created_at, last_accessed_at, last_refreshed_at)
            VALUES ($1, 'Failing', now(), now(), '2000-01-01'), ($2, 'Healthy', now(), now(), '2000-01-02')
            """, failing.Id, healthy.Id);

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", upload.VideoId) == 1,
            TimeSpan.FromSeconds(45), "the healthy channel is refreshed");
        Assert.True(await fixture.Database.ScalarAsync<int>("SELECT refresh_failures FROM channels WHERE id = $1", failing.Id) >= 1);
    }

    private async Task<long> VideoCountAsync(string channelId) =>
        await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId);

    private static void AddVideos(FakeChannel channel, params DateTimeOffset[] published)
    {
        foreach (var at in published)
        {
            channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), $"Upload of {at:yyyy-MM-dd HH:mm}", at));
        }
    }

    private Task<List<JsonElement>> GetVideosAsync(string channelId) =>
        fixture.ReadVideosAsync($"/videos?channel_id={channelId}&wait=true", channelId);
}
