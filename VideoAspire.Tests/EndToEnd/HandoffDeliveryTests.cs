using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker;
using VideoAspire.Worker.Jobs;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The hand-off consumer's limits, driven directly: the Worker's own job, wired by the Worker's own registration, on the
/// real Redis, against a PostgreSQL that cannot be reached (a transient failure), with the real Worker stopped so the
/// entries are this consumer's alone.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class HandoffDeliveryTests(AppHostFixture fixture)
{
    private const int MaxDeliveries = 3;

    [Fact]
    public async Task A_transient_failure_keeps_the_entry_backs_off_and_gives_up_after_the_last_delivery()
    {
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);
        using var worker = await WorkerWithUnreachableDatabaseAsync();

        // Start from a stream the real Worker has delivered entirely: the entry under test must be the first new one this
        // consumer reads (entries published earlier would fill its batch and stop it at their failure).
        await handoff.EnsureConsumerGroupAsync();
        await TestCatalog.EventuallyAsync(async () =>
        {
            var stream = await redis.StreamInfoAsync(SnapshotHandoff.StreamKey);
            var groups = await redis.StreamGroupInfoAsync(SnapshotHandoff.StreamKey);
            return groups.Single(g => g.Name == SnapshotHandoff.ConsumerGroup).LastDeliveredId == stream.LastGeneratedId;
        }, TimeSpan.FromSeconds(60), "the real Worker has read every entry so far");

        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        string retried, exhausted;
        try
        {
            await handoff.EnsureConsumerGroupAsync();
            retried = await handoff.PublishAsync(Snapshot());

            // First delivery: PostgreSQL unreachable. Kept in the stream, counted, not dead-lettered; the job backs off.
            await RunJobAsync(worker);
            Assert.Equal(1, (long)await redis.HashGetAsync(SnapshotHandoff.DeliveriesKey, retried));
            Assert.Single(await redis.StreamRangeAsync(SnapshotHandoff.StreamKey, retried, retried));
            Assert.False(worker.Services.GetRequiredService<HandoffBackoff>().IsDue);

            // An entry on its last allowed delivery (the count lives in Redis, as after earlier runs or restarts).
            worker.Services.GetRequiredService<HandoffBackoff>().Succeeded();
            await redis.StreamAcknowledgeAsync(SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup, retried); // out of the way
            exhausted = await handoff.PublishAsync(Snapshot());
            await redis.HashSetAsync(SnapshotHandoff.DeliveriesKey, exhausted, MaxDeliveries - 1);
            await RunJobAsync(worker);
        }
        finally
        {
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        Assert.Empty(await redis.StreamRangeAsync(SnapshotHandoff.StreamKey, exhausted, exhausted));
        var dead = await redis.StreamRangeAsync(SnapshotHandoff.DeadLetterKey, messageOrder: Order.Descending, count: 50);
        var letter = Assert.Single(dead, e => (string?)e["dead_lettered_from"] == exhausted);
        Assert.StartsWith($"still failing after {MaxDeliveries} deliveries", (string?)letter["reason"]);
        Assert.DoesNotContain(dead, e => (string?)e["dead_lettered_from"] == retried);
        await redis.StreamDeleteAsync(SnapshotHandoff.StreamKey, [retried]);
    }

    [Fact]
    public async Task The_api_in_process_queue_is_handed_to_redis_on_shutdown_not_lost()
    {
        // The Api's own registration, on the real Redis, with a PostgreSQL it cannot reach.
        using var api = await fixture.BuildApiServicesAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:videosdb"] = "Host=127.0.0.1;Port=1;Database=videosdb;Username=postgres;Timeout=2",
        });
        var queue = api.Services.GetServices<IHostedService>().OfType<VideoAspire.Api.Videos.InProcessPersistenceService>().Single();
        var snapshot = Snapshot();

        await using (await fixture.StopRedisAsync())
        {
            // Redis down: the snapshot goes to the in-process queue, whose writes fail (PostgreSQL unreachable here).
            await queue.StartAsync(CancellationToken.None);
            await api.Services.GetRequiredService<VideoAspire.Api.Videos.SnapshotPersistence>().HandOffAsync(snapshot);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var multiplexer = api.Services.GetRequiredService<IConnectionMultiplexer>();
        await TestCatalog.EventuallyAsync(() => Task.FromResult(multiplexer.IsConnected), TimeSpan.FromSeconds(30), "reconnected");

        // Shutting down: what is left is handed to Redis, and the real Worker persists it.
        await queue.StopAsync(CancellationToken.None);
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", snapshot.ChannelId) == 1,
            TimeSpan.FromSeconds(30), "the queued snapshot is persisted after the shutdown");
    }

    private static ChannelSnapshot Snapshot() => new(TestCatalog.NewChannelId(), "Retried",
        [new FetchedVideo(TestCatalog.NewVideoId(), "Waiting", DateTimeOffset.UtcNow.AddDays(-1))], "test", DateTimeOffset.UtcNow);

    private static async Task RunJobAsync(IHost worker)
    {
        await using var scope = worker.Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<PersistHandoffJob>(scope.ServiceProvider).Execute(null!, CancellationToken.None);
    }

    private async Task<IHost> WorkerWithUnreachableDatabaseAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = await fixture.ConnectionStringAsync(ResourceNames.Cache),
            // Nothing listens on port 1: connection refused, a transient failure, at once (no EF retry loop).
            ["ConnectionStrings:videosdb"] = "Host=127.0.0.1;Port=1;Database=videosdb;Username=postgres;Timeout=2",
            ["Aspire:Npgsql:EntityFrameworkCore:PostgreSQL:DisableRetry"] = "true",
            ["Worker:ConsumerName"] = "delivery-test-" + Guid.NewGuid().ToString("N")[..8],
            ["Worker:HandoffMaxDeliveries"] = MaxDeliveries.ToString(),
            // Entries other tests' consumers left pending are not this consumer's to take over: with them in its batch it
            // would stop at their failure before reading the entry under test.
            ["Worker:HandoffClaimIdle"] = "1.00:00:00",
        });
        builder.AddWorkerServices();
        return builder.Build();
    }
}
