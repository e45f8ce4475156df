using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Redis.Caching;
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

        Assert.Null(await cache.GetAsync(channelId));
        await cache.FillAsync(channelId, all, VideoKind.All, CacheFill.Primary);
        await cache.FillAsync(channelId, shorts, VideoKind.Shorts, CacheFill.Fetch);

        Assert.Equal(all, await cache.GetAsync(channelId));
        Assert.Equal(shorts, await cache.GetAsync(channelId, VideoKind.Shorts));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Live));
        var ttl = await stores.Redis.GetDatabase().KeyTimeToLiveAsync(CacheKeys.LatestVideos(channelId));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5)); // Cache:Ttl's default

        await cache.InvalidateAsync(channelId, DeletionMark.Keep, CancellationToken.None);
        Assert.Null(await cache.GetAsync(channelId));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Shorts)); // one invalidation drops every kind
    }

    [Fact]
    public async Task A_fill_that_read_the_channel_before_a_delete_or_a_write_never_lands_after_it()
    {
        // What a read or the Worker's re-warm may hold when the channel changes under it (both read PostgreSQL, then
        // fill Redis): played against real Redis in the order the race takes, with the Api's and the Worker's cache.
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var redis = stores.Redis.GetDatabase();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> before = [LatestVideo.Create(TestCatalog.NewVideoId(), "Before", DateTimeOffset.UtcNow.AddDays(-1))];
        IReadOnlyList<LatestVideo> after = [LatestVideo.Create(TestCatalog.NewVideoId(), "After", DateTimeOffset.UtcNow), .. before];

        // Deleted: neither a read's fill nor a re-warm puts the channel back (each command is ordered after the last
        // on the one connection, so the check that follows sees it).
        await cache.ChannelDeletedAsync(channelId, CancellationToken.None);
        await cache.FillAsync(channelId, before, VideoKind.All, CacheFill.Primary);
        await cache.FillAsync(channelId, before, VideoKind.All, CacheFill.Fetch);
        Assert.False(await cache.RewarmAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        // Brought back by a write: a re-warm that read before the write leaves it alone, the read path (which reads
        // the primary after a write) fills at once.
        var readBeforeTheWrite = TimeProvider.System.GetTimestamp();
        await cache.ChannelChangedAsync(channelId, CancellationToken.None);
        Assert.False(await cache.RewarmAsync(channelId, before, readBeforeTheWrite, CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));
        await cache.FillAsync(channelId, after, VideoKind.All, CacheFill.Primary);
        Assert.Equal(after, await cache.GetAsync(channelId));

        // A re-warm that read after the write (past its one-second margin) keeps the entry current: the same list
        // changes nothing, a different one replaces it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(await cache.RewarmAsync(channelId, after, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.True(await cache.RewarmAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.Equal(before, await cache.GetAsync(channelId));
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
        await cache.FillAsync(channelId, videos, VideoKind.All, CacheFill.Replica);
        Assert.Null(await cache.GetAsync(channelId)); // what the replica said may predate the write

        await cache.FillAsync(channelId, videos, VideoKind.All, CacheFill.Primary);
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
        await cache.FillAsync(deleted, videos, VideoKind.All, CacheFill.Fetch);
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
