using System.Collections.Concurrent;

namespace VideoAspire.Api.Videos;

/// <summary>
/// Collects "channel was read" marks in memory so that last_accessed_at costs one batched UPDATE per
/// flush interval instead of a database write per request.
/// </summary>
public sealed class ChannelAccessTracker(TimeProvider timeProvider)
{
    private ConcurrentDictionary<string, DateTimeOffset> _pending = new();

    public void RecordAccess(string channelId) => _pending[channelId] = timeProvider.GetUtcNow();

    /// <summary>Takes every mark recorded so far; new marks go to a fresh batch.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> TakeBatch() =>
        Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, DateTimeOffset>());

    /// <summary>Puts back a batch that could not be written, keeping the newer mark of each channel.</summary>
    public void Restore(IReadOnlyDictionary<string, DateTimeOffset> batch)
    {
        foreach (var (channelId, accessedAt) in batch)
        {
            _pending.AddOrUpdate(channelId, accessedAt, (_, current) => current > accessedAt ? current : accessedAt);
        }
    }
}
