using VideoAspire.Domain.Ports;

namespace VideoAspire.Redis.Caching;

/// <summary>The writer's invalidations applied to Redis; an eviction Redis cannot take now is retried in the background.</summary>
public sealed class ChannelCacheInvalidation(LatestVideosCache cache, CacheEvictionRetries evictionRetries) : IChannelCacheInvalidation
{
    public Task ChannelChangedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, ChannelTombstone.Remove, cancellationToken);

    // The Redis tombstone stops a fill that read the channel before the delete (a cold fetch in flight, a read, the
    // Worker's re-warm) from writing its list back into the cache.
    public Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, ChannelTombstone.Set, cancellationToken);

    private async Task InvalidateAsync(string channelId, ChannelTombstone tombstone, CancellationToken cancellationToken)
    {
        if (!await cache.InvalidateAsync(channelId, cancellationToken, tombstone))
        {
            // The database is the truth and it is written; the caches catch up when Redis answers again.
            evictionRetries.Add(channelId);
        }
    }
}
