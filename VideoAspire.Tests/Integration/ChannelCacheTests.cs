using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VideoAspire.Redis.Caching;
using VideoAspire.Telemetry;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>The cache façade's verbs and rules, against a real Redis, without the AppHost.</summary>
[Collection(StoresCollection.Name)]
public sealed class ChannelCacheTests(StoresFixture stores)
{
    [Fact]
    public async Task An_entry_round_trips_per_kind_and_lives_for_the_configured_ttl()
    {
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> all = [LatestVideo.Create(TestCatalog.NewVideoId(), "Newest", DateTimeOffset.UtcNow),
            LatestVideo.Create(TestCatalog.NewVideoId(), "Older", DateTimeOffset.UtcNow.AddDays(-1))];
        IReadOnlyList<LatestVideo> shorts = [all[1]];

        var miss = await cache.LookupAsync(channelId);
        Assert.Null(miss.Videos);
        Assert.False(miss.RecentlyWritten);
        await cache.FillAsync(miss, all, fromReplica: false);
        await cache.FillFetchedAsync(channelId, VideoKind.Shorts, shorts);

        Assert.Equal(all, await cache.GetAsync(channelId));
        Assert.Equal(shorts, await cache.GetAsync(channelId, VideoKind.Shorts));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Live));
        var ttl = await stores.Redis.GetDatabase().KeyTimeToLiveAsync(CacheKeys.LatestVideos(channelId));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15)); // Cache:Ttl + Cache:MaxStaleness, by default

        await cache.InvalidateAsync(channelId, DeletionMark.Keep, CancellationToken.None);
        Assert.Null(await cache.GetAsync(channelId));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Shorts)); // one invalidation drops every kind
    }

    [Fact]
    public async Task A_fill_that_read_the_channel_before_a_write_or_a_delete_never_lands_after_it()
    {
        // A read misses Redis, reads PostgreSQL, and fills Redis with what it read; a write (an Api PUT, a push) that
        // commits and invalidates between its read and its fill must win. Played against real Redis in the race's order
        // (each command is ordered after the last on the one connection, so the check that follows sees it).
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var redis = stores.Redis.GetDatabase();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> before = [LatestVideo.Create(TestCatalog.NewVideoId(), "Before", DateTimeOffset.UtcNow.AddDays(-1))];
        IReadOnlyList<LatestVideo> after = [LatestVideo.Create(TestCatalog.NewVideoId(), "After", DateTimeOffset.UtcNow), .. before];

        // Written between the read's lookup and its fill: the fill is dropped, the next read fills what the write stored.
        var readBeforeTheWrite = await cache.LookupAsync(channelId);
        await cache.ChannelChangedAsync(channelId, CancellationToken.None);
        await cache.FillAsync(readBeforeTheWrite, before, fromReplica: false);
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));
        var readAfterTheWrite = await cache.LookupAsync(channelId);
        Assert.True(readAfterTheWrite.RecentlyWritten);
        await cache.FillAsync(readAfterTheWrite, after, fromReplica: false);
        Assert.Equal(after, await cache.GetAsync(channelId));

        // A second write, with the first still in the window: the version moves on, so the same fence holds.
        var readBeforeTheSecondWrite = await cache.LookupAsync(channelId, VideoKind.Shorts);
        await cache.ChannelChangedAsync(channelId, CancellationToken.None);
        await cache.FillAsync(readBeforeTheSecondWrite, before, fromReplica: false);
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId, VideoKind.Shorts)));

        // Deleted between the lookup and the fill, or before: neither a read's fill, a fetch's nor a re-warm puts it back.
        var readBeforeTheDelete = await cache.LookupAsync(channelId);
        await cache.ChannelDeletedAsync(channelId, CancellationToken.None);
        await cache.FillAsync(readBeforeTheDelete, before, fromReplica: false);
        await cache.FillAsync(await cache.LookupAsync(channelId), before, fromReplica: false);
        await cache.FillFetchedAsync(channelId, VideoKind.All, before);
        Assert.False(await cache.RewarmAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        // Brought back by a write: a re-warm that read before the write leaves it alone, a read that looked after fills.
        var rewarmReadBeforeTheWrite = TimeProvider.System.GetTimestamp();
        await cache.ChannelChangedAsync(channelId, CancellationToken.None);
        Assert.False(await cache.RewarmAsync(channelId, before, rewarmReadBeforeTheWrite, CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));
        await cache.FillAsync(await cache.LookupAsync(channelId), after, fromReplica: false);
        Assert.Equal(after, await cache.GetAsync(channelId));

        // A re-warm that read after the write (past its one-second margin) keeps the entry current: the same list
        // changes nothing, a different one replaces it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(await cache.RewarmAsync(channelId, after, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.True(await cache.RewarmAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.Equal(before, await cache.GetAsync(channelId));
    }

    [Fact]
    public async Task An_entry_past_its_freshness_is_looked_up_as_stale_until_max_staleness()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = stores.Services.Services;
        var cache = new ChannelCache(stores.Redis, services.GetRequiredService<IOutputCacheStore>(),
            Options.Create(new CacheOptions { Ttl = TimeSpan.FromMinutes(5), MaxStaleness = TimeSpan.FromMinutes(10) }), clock,
            services.GetRequiredService<Outages>(), NullLogger<ChannelCache>.Instance);
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> videos = [LatestVideo.Create(TestCatalog.NewVideoId(), "Cached", DateTimeOffset.UtcNow)];
        await cache.FillAsync(await cache.LookupAsync(channelId), videos, fromReplica: false);
        await TestCatalog.EventuallyAsync(async () => await cache.GetAsync(channelId) is not null, TimeSpan.FromSeconds(2), "filled");

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var lookup = await cache.LookupAsync(channelId);

        Assert.True(lookup.Stale);
        Assert.Equal(videos, lookup.Videos);
        Assert.Null(lookup.Fresh);
        Assert.Null(await cache.GetAsync(channelId)); // only the read path serves a stale entry, and only as stale-if-error
        Assert.Equal(clock.GetUtcNow().AddSeconds(-1).ToUnixTimeMilliseconds(), lookup.FreshUntil.ToUnixTimeMilliseconds());
        var ttl = await stores.Redis.GetDatabase().KeyTimeToLiveAsync(CacheKeys.LatestVideos(channelId));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15)); // gone from Redis after both
    }

    [Fact]
    public async Task A_replica_fill_waits_out_the_read_your_writes_window_and_the_primary_is_read_meanwhile()
    {
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> videos = [LatestVideo.Create(TestCatalog.NewVideoId(), "From a replica", DateTimeOffset.UtcNow)];
        Assert.False(await cache.MustReadPrimaryAsync(channelId));

        await cache.ChannelChangedAsync(channelId, CancellationToken.None);
        Assert.True(await cache.MustReadPrimaryAsync(channelId));
        var lookup = await cache.LookupAsync(channelId);
        Assert.True(lookup.RecentlyWritten);
        await cache.FillAsync(lookup, videos, fromReplica: true);
        Assert.Null(await cache.GetAsync(channelId)); // what the replica said may predate the write

        await cache.FillAsync(lookup, videos, fromReplica: false);
        Assert.Equal(videos, await cache.GetAsync(channelId));
    }

    [Fact]
    public async Task An_invalidation_redis_refuses_is_retried_with_the_latest_deletion_mark_asked_for()
    {
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var redis = stores.Redis.GetDatabase();
        var deleted = TestCatalog.NewChannelId();
        var deletedThenWritten = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> videos = [LatestVideo.Create(TestCatalog.NewVideoId(), "Cached", DateTimeOffset.UtcNow)];
        await cache.FillFetchedAsync(deleted, VideoKind.All, videos);
        var pendingBefore = cache.PendingCount;

        // Scripts refused by the server (as a Redis that is down, or a proxy that forbids them, would fail them).
        await redis.ExecuteAsync("ACL", "SETUSER", "default", "-@scripting");
        try
        {
            await cache.ChannelDeletedAsync(deleted, CancellationToken.None); // never throws: the write is done
            await cache.ChannelDeletedAsync(deletedThenWritten, CancellationToken.None);
            await cache.ChannelChangedAsync(deletedThenWritten, CancellationToken.None);
            Assert.Equal(pendingBefore + 2, cache.PendingCount);
            Assert.Equal(0, await cache.RetryPendingAsync(CancellationToken.None));
            Assert.Equal(videos, await cache.GetAsync(deleted)); // not dropped yet
        }
        finally
        {
            await redis.ExecuteAsync("ACL", "SETUSER", "default", "+@all");
        }

        Assert.True(await cache.RetryPendingAsync(CancellationToken.None) >= 2);
        Assert.Equal(0, cache.PendingCount);
        Assert.Null(await cache.GetAsync(deleted));
        Assert.True(await redis.KeyExistsAsync(CacheKeys.DeletedChannel(deleted)));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.DeletedChannel(deletedThenWritten)));
        Assert.True(await cache.MustReadPrimaryAsync(deletedThenWritten));
    }
}
