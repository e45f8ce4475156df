using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>Dependencies fail; callers still get answers.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(FaultsCollection.Name)]
public sealed class DegradationTests(FaultsAppHostFixture fixture)
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

            // The pods stay in the Service (ready: they answer), while /health shows the dependency down.
            foreach (var address in fixture.ReplicaAddresses("VideoAspire.Api").Concat(fixture.ReplicaAddresses("VideoAspire.Worker")))
            {
                using var probe = new HttpClient { BaseAddress = address };
                Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/ready")).StatusCode);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/health")).StatusCode);
            }
        }
    }

    [Fact]
    public async Task Commands_redis_refuses_before_sending_them_are_failures_like_any_other()
    {
        // RedisCommandException (a disabled command here; on a Redis Cluster, keys in different slots) is not a
        // RedisException: it must still be a cache miss or a skipped write, never an error for the caller.
        using var api = await fixture.BuildApiServicesAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = await fixture.ConnectionStringAsync(ResourceNames.Cache) + ",$GET=,$MGET=,$SET=,$EVAL=,$EVALSHA=",
        });
        var cache = api.Services.GetRequiredService<ChannelCache>();
        var redis = api.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var channelId = TestCatalog.NewChannelId();

        Assert.Null((await cache.LookupAsync(channelId, started: ChannelCache.BeginGet(redis, channelId, TimeProvider.System))).Videos);
        var lookup = await cache.LookupAsync(channelId);
        Assert.Equal(-1, lookup.WriteVersion); // unknown: the database read goes to the primary, and nothing is filled
        await cache.FillAsync(lookup, [LatestVideo.Create(TestCatalog.NewVideoId(), "Not cached", DateTimeOffset.UtcNow)], fromReplica: false);
        await cache.FillFetchedAsync(channelId, VideoKind.All, [LatestVideo.Create(TestCatalog.NewVideoId(), "Not cached", DateTimeOffset.UtcNow)]);
        Assert.NotNull(await api.Services.GetRequiredService<FetchLock>().TryAcquireAsync(channelId, VideoKind.All, TimeSpan.FromSeconds(5)));
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
    public async Task A_frozen_postgres_fails_over_within_the_budget_and_never_starves_the_api()
    {
        // Cached before the freeze; stored but not cached (YouTube knows it too); the Api's budget is 1 s.
        var cached = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(cached);
        await fixture.Database.AddVideoAsync(cached, TestCatalog.NewVideoId(), "Cached", DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync($"/videos?channel_id={cached}")).StatusCode);
        var uncached = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        uncached.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "From YouTube", DateTimeOffset.UtcNow.AddDays(-1)));
        await fixture.Database.AddChannelAsync(uncached.Id);

        // Stored channels whose entries went stale just before the freeze (past Cache:Ttl, within Cache:MaxStaleness), as
        // under a short TTL: written as the cache writes them, never read through the output cache.
        var staleChannels = new string[20];
        for (var i = 0; i < staleChannels.Length; i++)
        {
            staleChannels[i] = TestCatalog.NewChannelId();
            await fixture.Database.AddChannelAsync(staleChannels[i]);
            await fixture.Redis.GetDatabase().StringSetAsync(CacheKeys.LatestVideos(staleChannels[i]),
                LatestVideosEntry.Encode([LatestVideo.Create(TestCatalog.NewVideoId(), "Stale", DateTimeOffset.UtcNow.AddDays(-1))],
                    freshUntil: DateTimeOffset.UtcNow.AddSeconds(-30)), TimeSpan.FromMinutes(5));
        }

        var slowest = TimeSpan.Zero;
        await using (fixture.FreezePostgres())
        {
            // The stored channel nobody cached: its read gives up on PostgreSQL after the budget and asks YouTube.
            var stopwatch = Stopwatch.StartNew();
            using (var failover = await fixture.Api.GetAsync($"/videos?channel_id={uncached.Id}&wait=true"))
            {
                Assert.Equal(HttpStatusCode.OK, failover.StatusCode);
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"fail-over took {stopwatch.Elapsed}");

            // /health says so instead of hanging.
            stopwatch.Restart();
            using (var health = await fixture.Api.GetAsync("/health"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"/health took {stopwatch.Elapsed}");

            // Under load (six requests at once, within the test caller's rate limit of 100), the stale channels answer
            // with their stale entries, marked stale, without waiting for PostgreSQL's budget or asking YouTube: p99 under
            // 100 ms.
            var latencies = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
            await Parallel.ForAsync(0, 90, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, token) =>
            {
                var started = Stopwatch.GetTimestamp();
                using var read = await fixture.Api.GetAsync($"/videos?channel_id={staleChannels[i % staleChannels.Length]}", token);
                latencies.Add(Stopwatch.GetElapsedTime(started));
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                Assert.StartsWith("VideoAspire; hit; detail=stale-if-error; ttl=-", read.Headers.GetValues("Cache-Status").Single());
                Assert.Contains("Stale", await read.Content.ReadAsStringAsync(token));
            });
            var p99 = latencies.Order().ElementAt((int)(latencies.Count * 0.99) - 1);
            Assert.True(p99 < TimeSpan.FromMilliseconds(100), $"stale reads p99 {p99.TotalMilliseconds:F0} ms during the freeze");
            Assert.All(staleChannels, id => Assert.Equal(0, fixture.YouTube.Calls("channels", id) + fixture.YouTube.Calls("feed", id)));

            // Past the driver's 30 s command timeout, cached reads still answer: nothing piled up on the thread pool.
            var until = DateTime.UtcNow.AddSeconds(35);
            while (DateTime.UtcNow < until)
            {
                stopwatch.Restart();
                using var read = await fixture.Api.GetAsync($"/videos?channel_id={cached}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                slowest = stopwatch.Elapsed > slowest ? stopwatch.Elapsed : slowest;
                await Task.Delay(500);
            }
        }

        Assert.True(slowest < TimeSpan.FromSeconds(5), $"a cached read took {slowest} during the freeze");
        await TestCatalog.EventuallyAsync(async () =>
        {
            using var response = await fixture.Api.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the Api is healthy again after the thaw");
    }

    [Fact]
    public async Task Redis_and_the_worker_killed_with_sigkill_are_started_again()
    {
        // Redis: its process title is "…redis-server 127.0.0.1:<port>".
        var port = (await fixture.ConnectionStringAsync(ResourceNames.Cache)).Split(':')[^1];
        AppHostFixture.Signal("KILL", [AppHostFixture.FindProcess(c => c.Contains("redis-server", StringComparison.Ordinal) && c.Contains($":{port}"))]);
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                return await fixture.Redis.GetDatabase().PingAsync() < TimeSpan.FromSeconds(5);
            }
            catch (RedisException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "Redis is started again");

        // One Worker replica (the application process, not the `dotnet run` that launched it).
        List<int> Workers() => fixture.ServiceProcesses("VideoAspire.Worker");
        var replicas = Workers().Count;
        var worker = Workers()[0];
        AppHostFixture.Signal("KILL", [worker]);
        using var workerClient = fixture.App.CreateHttpClient(ResourceNames.Worker);
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                using var response = await workerClient.GetAsync("/health");
                var running = Workers();
                return response.IsSuccessStatusCode && running.Count == replicas && !running.Contains(worker);
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the Worker is started again and healthy");
    }

    [Fact]
    public async Task Redis_evicts_only_keys_with_a_ttl_within_a_memory_bound()
    {
        var server = fixture.Redis.GetServers().Single();

        var policy = await server.ConfigGetAsync("maxmemory-policy");
        var maxMemory = await server.ConfigGetAsync("maxmemory");

        Assert.Equal("volatile-lru", policy.Single().Value);
        Assert.True(long.Parse(maxMemory.Single().Value) > 0, "maxmemory is bounded");
    }

    [Fact]
    public async Task The_worker_is_not_ready_while_redis_may_evict_the_hand_off()
    {
        // An existing Redis configured allkeys-lru (the AppHost's own never is): the Worker says so on /health.
        var server = fixture.Redis.GetServers().Single();
        using var worker = fixture.App.CreateHttpClient(ResourceNames.Worker);
        await server.ConfigSetAsync("maxmemory-policy", "allkeys-lru");
        try
        {
            await TestCatalog.EventuallyAsync(async () =>
            {
                using var response = await worker.GetAsync("/health");
                return response.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(30), "the Worker reports the unsafe policy");
        }
        finally
        {
            await server.ConfigSetAsync("maxmemory-policy", "volatile-lru");
        }

        await TestCatalog.EventuallyAsync(async () =>
        {
            using var response = await worker.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), "the Worker is ready again");
    }

    [Fact]
    public async Task Every_key_but_the_hand_off_streams_has_a_ttl()
    {
        // Some traffic first, so that every kind of key exists: reads (output cache, latest five), a cold fetch
        // (fetch lock, hand-off), an unknown channel (negative cache), a write (tag eviction) and a delete (tombstone).
        var stored = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(stored);
        await fixture.Database.AddVideoAsync(stored, TestCatalog.NewVideoId(), "Keyed", DateTimeOffset.UtcNow.AddDays(-1));
        var cold = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        cold.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Cold", DateTimeOffset.UtcNow.AddDays(-2)));
        using var writer = fixture.CreateApiClient(TestTokens.Create(VideoAspire.Api.Security.Scopes.VideosWrite));
        foreach (var path in new[] { $"/videos?channel_id={stored}", $"/videos?channel_id={stored}", $"/videos?channel_id={cold.Id}&wait=true",
                     $"/videos?channel_id={TestCatalog.NewChannelId()}" })
        {
            using var _ = await fixture.Api.GetAsync(path);
        }

        using (await writer.DeleteAsync($"/channels/{stored}"))
        {
        }

        var server = fixture.Redis.GetServers().Single();
        var withoutTtl = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            if (await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(key) is null && await fixture.Redis.GetDatabase().KeyExistsAsync(key))
            {
                withoutTtl.Add(key!);
            }
        }

        // volatile-lru never evicts these; everything else is a cache and may go. (The output-cache store's tag index,
        // __MSOCT*, is the library's: it removes expired members itself.)
        Assert.Empty(withoutTtl
            .Where(key => !key.StartsWith("__MSOCT", StringComparison.Ordinal))
            .Except([SnapshotHandoff.StreamKey, SnapshotHandoff.DeadLetterKey, SnapshotHandoff.DeliveriesKey]));
    }

    [Fact]
    public async Task Filling_redis_past_maxmemory_never_evicts_the_hand_off()
    {
        var server = fixture.Redis.GetServers().Single();
        var redis = fixture.Redis.GetDatabase();
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Survives the flood", DateTimeOffset.UtcNow.AddDays(-1)));
        var maxMemory = (await server.ConfigGetAsync("maxmemory")).Single().Value;

        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        try
        {
            // A video fetched while no Worker runs: it waits in the hand-off stream.
            using (var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // Memory pressure: a bound just above what is used, then far more cache-like data (keys with a TTL) than fits.
            var used = long.Parse((await server.InfoAsync("memory")).SelectMany(g => g).First(p => p.Key == "used_memory").Value);
            await server.ConfigSetAsync("maxmemory", used + 2 * 1024 * 1024);
            var filler = new byte[16 * 1024];
            for (var i = 0; i < 1_000; i++)
            {
                try
                {
                    await redis.StringSetAsync($"test:filler:{i}", filler, TimeSpan.FromMinutes(5));
                }
                catch (RedisServerException ex) when (ex.Message.StartsWith("OOM", StringComparison.Ordinal))
                {
                    break; // nothing left that may be evicted: refused, not evicted
                }
            }

            var evicted = long.Parse((await server.InfoAsync("stats")).SelectMany(g => g).First(p => p.Key == "evicted_keys").Value);
            Assert.True(evicted > 0, "the flood made Redis evict");
            var entries = await redis.StreamRangeAsync(SnapshotHandoff.StreamKey);
            Assert.Contains(entries, e => ((string?)e["snapshot"])?.Contains(channel.Id) == true);
        }
        finally
        {
            await server.ConfigSetAsync("maxmemory", maxMemory);
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channel.Id) == 1,
            TimeSpan.FromSeconds(60), "the video waiting in the hand-off is persisted after the flood");
    }
}
