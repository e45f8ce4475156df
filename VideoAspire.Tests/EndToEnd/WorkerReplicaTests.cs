using Microsoft.EntityFrameworkCore;
using Npgsql;
using VideoAspire.Data;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker.Jobs;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// Worker replicas as separate real processes, sharing one PostgreSQL database (Quartz's clustered job store) and one
/// Redis database, on the integration tier's servers with no AppHost. Each test gets a database and a Redis database of
/// its own. They count scheduled runs in a time window, so they run alone (<see cref="WorkerReplicasCollection"/>).
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(WorkerReplicasCollection.Name)]
public sealed class WorkerReplicaTests(StoresFixture stores) : IAsyncLifetime
{
    private FakeYouTube _youTube = null!;

    public async Task InitializeAsync() => _youTube = await FakeYouTube.StartAsync();

    public async Task DisposeAsync() => await _youTube.DisposeAsync();

    [Fact]
    public async Task Two_replicas_run_each_scheduled_job_once_per_interval_between_them()
    {
        var cluster = await IsolatedClusterAsync(redisDatabase: 7);
        var channelId = TestCatalog.NewChannelId();
        _youTube.AddChannel(channelId).Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Refreshed", DateTimeOffset.UtcNow));
        await cluster.Database.ExecuteAsync(
            "INSERT INTO channels (id, title, created_at, last_accessed_at) VALUES ($1, 'Read recently', now(), now())", channelId);
        var settings = new Dictionary<string, string>(cluster.Settings)
        {
            ["Worker:CacheRefreshInterval"] = "00:00:01",
            ["Worker:ChannelRefreshInterval"] = "00:00:02",
        };

        await using var first = ServiceProcess.StartWorker(settings);
        await using var second = ServiceProcess.StartWorker(settings);
        await TestCatalog.EventuallyAsync(async () => await cluster.Database.ScalarAsync<long>(
            "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = $1", WorkerOptions.ClusteredSchedulerName) == 2,
            TimeSpan.FromSeconds(60), "both replicas have joined the cluster");

        var window = TimeSpan.FromSeconds(10);
        var (cacheRuns, channelRuns, fetches) = Observed();
        await Task.Delay(window);
        var (cacheRunsAfter, channelRunsAfter, fetchesAfter) = Observed();

        // Ten one-second intervals and five two-second ones: each run once, not once per replica (20 and 10). The lower
        // bounds allow for a slow machine skipping a run; the upper ones for where the window falls and for a replica
        // starved of CPU past its check-in being taken for dead, its running job re-run (recovery, as designed; the
        // suite runs two AppHosts at once on two cores).
        var log = first.Log + "\n----\n" + second.Log;
        Assert.True(cacheRunsAfter - cacheRuns is >= 5 and <= 15, $"{cacheRunsAfter - cacheRuns} cache refresh runs\n{log}");
        Assert.True(channelRunsAfter - channelRuns is >= 2 and <= 8, $"{channelRunsAfter - channelRuns} channel refresh runs\n{log}");
        Assert.Equal(channelRunsAfter - channelRuns, fetchesAfter - fetches, tolerance: 1); // the upstream saw each run once
        Assert.False(first.HasExited || second.HasExited, first.Log + second.Log);

        (int CacheRuns, int ChannelRuns, int Fetches) Observed() => (
            first.LogLines("Re-warmed the cache of") + second.LogLines("Re-warmed the cache of"),
            first.LogLines("channels from YouTube (budget") + second.LogLines("channels from YouTube (budget"),
            _youTube.Calls("playlistItems", channelId));
    }

    [Fact]
    public async Task A_replica_killed_in_the_middle_of_a_run_has_the_run_recovered_by_another()
    {
        var cluster = await IsolatedClusterAsync(redisDatabase: 8);
        var channelId = TestCatalog.NewChannelId();
        var channel = _youTube.AddChannel(channelId, api: ApiMode.Hang);
        var videoId = TestCatalog.NewVideoId();
        channel.Videos.Add(new FakeVideo(videoId, "Published while a replica died", DateTimeOffset.UtcNow));
        await cluster.Database.ExecuteAsync(
            "INSERT INTO channels (id, title, created_at, last_accessed_at) VALUES ($1, 'Read recently', now(), now())", channelId);
        var settings = new Dictionary<string, string>(cluster.Settings)
        {
            // Long enough that the only way the channel is refreshed soon is the dead replica's run being recovered.
            ["Worker:ChannelRefreshInterval"] = "00:00:05",
            ["YouTube:AttemptTimeout"] = "00:01:00",
            ["YouTube:TotalTimeout"] = "00:02:00",
        };

        var dying = ServiceProcess.StartWorker(settings);
        await using (dying)
        {
            await WithLogAsync(dying, TestCatalog.EventuallyAsync(() => Task.FromResult(_youTube.Calls("channels", channelId) > 0),
                TimeSpan.FromSeconds(60), "the first replica is in the middle of the refresh (YouTube does not answer)"));
            dying.Kill();
        }

        channel.Api = ApiMode.Ok;
        await using var survivor = ServiceProcess.StartWorker(settings);

        await TestCatalog.EventuallyAsync(async () => await cluster.Database.ScalarAsync<long>(
            "SELECT count(*) FROM videos WHERE channel_id = $1 AND video_id = $2", channelId, videoId) == 1,
            TimeSpan.FromSeconds(60), "the other replica has refreshed the channel");
        Assert.True(survivor.LogLines("Recovering the channel refresh") >= 1, survivor.Log);
    }

    private static async Task WithLogAsync(ServiceProcess worker, Task wait)
    {
        try
        {
            await wait;
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nWorker log:\n{worker.Log}");
        }
    }

    internal sealed record Cluster(NpgsqlDataSource Database, Dictionary<string, string> Settings);

    internal async Task<Cluster> IsolatedClusterAsync(int redisDatabase)
    {
        var name = "cluster_" + Guid.NewGuid().ToString("N")[..12];
        await stores.Database.ExecuteAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(stores.ConnectionStrings[$"ConnectionStrings:{ResourceNames.Database}"]) { Database = name }.ConnectionString;
        await using (var context = new VideosDbContext(new DbContextOptionsBuilder<VideosDbContext>()
                         .UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options))
        {
            await context.Database.MigrateAsync();
        }

        return new Cluster(NpgsqlDataSource.Create(connectionString), new Dictionary<string, string>
        {
            ["ConnectionStrings:videosdb"] = connectionString,
            ["ConnectionStrings:cache"] = stores.ConnectionStrings[$"ConnectionStrings:{ResourceNames.Cache}"] + ",defaultDatabase=" + redisDatabase,
            ["YouTube:ApiKey"] = FakeYouTube.ApiKey,
            ["YouTube:ApiBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:FeedBaseUrl"] = _youTube.BaseUrl,
            ["Worker:QuotaBudgetPerHour"] = "1000000",
            ["Worker:ClusterCheckinInterval"] = "00:00:02",
            ["Worker:HandoffPollInterval"] = "00:00:01",
        });
    }
}
