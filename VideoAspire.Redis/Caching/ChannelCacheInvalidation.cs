using VideoAspire.Domain.Ports;

namespace VideoAspire.Redis.Caching;

/// <summary>The writer's invalidations applied to Redis; an eviction Redis cannot take now is retried in the background.</summary>
public sealed class ChannelCacheInvalidation(LatestVideosCache cache, CacheEvictionRetries evictionRetries) : IChannelCacheInvalidation
{
    public Task ChannelChangedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, DeletionMark.Remove, cancellationToken);

    // The deletion mark stops a fill that read the channel before the delete (a cold fetch in flight, a read, the
    // Worker's re-warm) from writing its list back into the cache.
    public Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, DeletionMark.Set, cancellationToken);

    private async Task InvalidateAsync(string channelId, DeletionMark deletionMark, CancellationToken cancellationToken)
    {
        if (!await cache.InvalidateAsync(channelId, cancellationToken, deletionMark))
        {
            // The database is the truth and it is written; the caches catch up when Redis answers again.
            evictionRetries.Add(channelId);
        }
    }
}
