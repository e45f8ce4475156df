using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>The AppHost's Worker replicas as consumers of the hand-off stream.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class WorkerConsumerTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Each_replica_consumes_the_hand_off_under_its_own_name_and_a_replica_that_went_away_leaves_the_group()
    {
        var redis = fixture.Redis.GetDatabase();
        var gone = "gone-replica-" + Guid.NewGuid().ToString("N")[..8];
        await redis.ExecuteAsync("XGROUP", "CREATECONSUMER", SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup, gone);
        Assert.Contains(await ConsumersAsync(), consumer => consumer.Name == gone);

        // The AppHost's two Worker replicas poll every 200 ms, each as a consumer of its own.
        await TestCatalog.EventuallyAsync(async () => (await ConsumersAsync()).Count(consumer => consumer.IdleTimeInMilliseconds < 2_000) >= 2,
            TimeSpan.FromSeconds(30), "two live consumers, one per Worker replica");
        // Idle past Worker:HandoffClaimIdle (3 s here) with nothing pending: removed.
        await TestCatalog.EventuallyAsync(async () => (await ConsumersAsync()).All(consumer => consumer.Name != gone),
            TimeSpan.FromSeconds(30), "the Workers have removed the consumer that went away");

        async Task<StackExchange.Redis.StreamConsumerInfo[]> ConsumersAsync() =>
            await redis.StreamConsumerInfoAsync(SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup);
    }
}
