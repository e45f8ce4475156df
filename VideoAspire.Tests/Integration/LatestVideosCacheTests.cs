using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>The latest-five cache's rules, against a real Redis, without the AppHost.</summary>
[Collection(StoresCollection.Name)]
public sealed class LatestVideosCacheTests(StoresFixture stores)
{
    [Fact]
    public async Task An_entry_round_trips_per_kind_and_lives_for_the_configured_ttl()
    {
        var cache = stores.Services.Services.GetRequiredService<LatestVideosCache>();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> all = [LatestVideo.Create(TestCatalog.NewVideoId(), "Newest", DateTimeOffset.UtcNow),
            LatestVideo.Create(TestCatalog.NewVideoId(), "Older", DateTimeOffset.UtcNow.AddDays(-1))];
        IReadOnlyList<LatestVideo> shorts = [all[1]];

        Assert.Null(await cache.GetAsync(channelId));
        await cache.SetAsync(channelId, all);
        await cache.SetAsync(channelId, shorts, VideoKind.Shorts);

        Assert.Equal(all, await cache.GetAsync(channelId));
        Assert.Equal(shorts, await cache.GetAsync(channelId, VideoKind.Shorts));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Live));
        var ttl = await stores.Redis.GetDatabase().KeyTimeToLiveAsync(CacheKeys.LatestVideos(channelId));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5)); // Cache:Ttl's default

        Assert.True(await cache.InvalidateAsync(channelId, CancellationToken.None));
        Assert.Null(await cache.GetAsync(channelId));
        Assert.Null(await cache.GetAsync(channelId, VideoKind.Shorts)); // one invalidation drops every kind
    }

    [Fact]
    public async Task A_fill_that_read_the_channel_before_a_delete_or_a_write_never_lands_after_it()
    {
        // What a read or the Worker's re-warm may hold when the channel changes under it (both read PostgreSQL, then
        // fill Redis): played against real Redis in the order the race takes, with the Api's and the Worker's cache.
        var cache = stores.Services.Services.GetRequiredService<LatestVideosCache>();
        var redis = stores.Redis.GetDatabase();
        var channelId = TestCatalog.NewChannelId();
        IReadOnlyList<LatestVideo> before = [LatestVideo.Create(TestCatalog.NewVideoId(), "Before", DateTimeOffset.UtcNow.AddDays(-1))];
        IReadOnlyList<LatestVideo> after = [LatestVideo.Create(TestCatalog.NewVideoId(), "After", DateTimeOffset.UtcNow), .. before];

        // Deleted: neither a read's fill nor a re-warm puts the channel back (each command is ordered after the last
        // on the one connection, so the check that follows sees it).
        Assert.True(await cache.InvalidateAsync(channelId, CancellationToken.None, DeletionMark.Set));
        await cache.SetAsync(channelId, before);
        Assert.False(await cache.RefreshAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        // Brought back by a write: a re-warm that read before the write leaves it alone, the read path (which reads
        // the primary after a write) fills at once.
        var readBeforeTheWrite = TimeProvider.System.GetTimestamp();
        Assert.True(await cache.InvalidateAsync(channelId, CancellationToken.None, DeletionMark.Remove));
        Assert.False(await cache.RefreshAsync(channelId, before, readBeforeTheWrite, CancellationToken.None));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));
        await cache.SetAsync(channelId, after);
        Assert.Equal(after, await cache.GetAsync(channelId));

        // A re-warm that read after the write (past its one-second margin) keeps the entry current: the same list
        // changes nothing, a different one replaces it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(await cache.RefreshAsync(channelId, after, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.True(await cache.RefreshAsync(channelId, before, TimeProvider.System.GetTimestamp(), CancellationToken.None));
        Assert.Equal(before, await cache.GetAsync(channelId));
    }
}
