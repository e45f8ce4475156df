namespace VideoAspire.Domain.Ports;

/// <summary>
/// What the writer tells the caches after a commit. Implemented where the caches live (Redis), so that the data layer
/// does not depend on them. Never fails: an eviction Redis cannot take now is retried in the background.
/// </summary>
public interface IChannelCacheInvalidation
{
    /// <summary>The channel was written: its cached answers are stale, and it may be cached again.</summary>
    Task ChannelChangedAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>The channel was deleted: its answers go, and no fill that read it before the delete may bring them back.</summary>
    Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken);
}
