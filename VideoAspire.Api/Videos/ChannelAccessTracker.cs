using System.Collections.Concurrent;

namespace VideoAspire.Api.Videos;

/// <summary>
/// Collects "channel was read" marks in memory so that last_accessed_at costs one batched UPDATE per
/// flush interval instead of a database write per request.
/// </summary>
/// <remarks>
/// On the hot path a read of a channel already marked within <see cref="Resolution"/> writes nothing (a hot channel
/// would otherwise take the same dictionary lock tens of thousands of times a second), and the batch holds at most
/// <see cref="MaxPendingChannels"/> channels, so memory stays bounded even while PostgreSQL is down and batches pile up.
/// </remarks>
public sealed class ChannelAccessTracker(TimeProvider timeProvider)
{
    public const int MaxPendingChannels = 200_000;

    /// <summary>Marks closer together than this are the same mark.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(1);

    private ConcurrentDictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);
    private int _pendingCount;
    private long _dropped;

    /// <summary>Marks not recorded because the batch was full (PostgreSQL unreachable for a long time).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void RecordAccess(string channelId)
    {
        var pending = Volatile.Read(ref _pending);
        var now = timeProvider.GetUtcNow();
        if (pending.TryGetValue(channelId, out var marked))
        {
            if (now - marked >= Resolution)
            {
                pending[channelId] = now;
            }

            return;
        }

        if (Volatile.Read(ref _pendingCount) >= MaxPendingChannels)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        if (pending.TryAdd(channelId, now))
        {
            Interlocked.Increment(ref _pendingCount);
        }
    }

    /// <summary>Takes every mark recorded so far; new marks go to a fresh batch.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> TakeBatch()
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal));
        Interlocked.Exchange(ref _pendingCount, 0);
        return batch;
    }

    /// <summary>Puts back a batch that could not be written, keeping the newer mark of each channel.</summary>
    public void Restore(IReadOnlyDictionary<string, DateTimeOffset> batch)
    {
        var pending = Volatile.Read(ref _pending);
        foreach (var (channelId, accessedAt) in batch)
        {
            if (Volatile.Read(ref _pendingCount) >= MaxPendingChannels)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            var added = false;
            pending.AddOrUpdate(channelId, _ => { added = true; return accessedAt; }, (_, current) => current > accessedAt ? current : accessedAt);
            if (added)
            {
                Interlocked.Increment(ref _pendingCount);
            }
        }
    }
}
