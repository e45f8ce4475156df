using StackExchange.Redis;
using VideoAspire.Redis.Caching;

namespace VideoAspire.Api.Caching;

/// <summary>
/// A request feature: the read of a channel's latest-five entry, already sent by the output cache's Redis lookup
/// (<see cref="Caching.LocalOutputCacheStore"/>) so that the endpoint does not pay a second round trip for it.
/// </summary>
public sealed class PrefetchedCacheRead(PendingCacheRead read)
{
    private int _taken;

    /// <summary>When the read was sent (a timestamp): an eviction heard after it makes the answer stale.</summary>
    public long SentAt => read.SentAt;

    /// <summary>
    /// True when the entry was absent as the request began: the endpoint's answer was just stored as the channel's
    /// latest-five entry (from PostgreSQL or YouTube), so the output cache need not store a second copy of it yet.
    /// </summary>
    public bool FoundNoEntry => read.FoundNoEntry;

    /// <summary>True when the answer could come from the entry: Redis answered with it.</summary>
    public bool FoundEntry => read.FoundEntry;

    /// <summary>The read sent for this channel by this request, if any (taken once: a later lookup reads afresh).</summary>
    public static PendingCacheRead? Take(HttpContext context, string channelId) =>
        context.Features.Get<PrefetchedCacheRead>() is { } prefetched && prefetched.Read.ChannelId == channelId
            && Interlocked.Exchange(ref prefetched._taken, 1) == 0
            ? prefetched.Read
            : null;

    /// <summary>
    /// For a read by handle or URL, which knows its channel only once resolved: sends the read of the entry, and lets the
    /// output cache store the answer from it as it does for a read by id.
    /// </summary>
    public static PendingCacheRead Send(HttpContext context, IConnectionMultiplexer redis, string channelId, TimeProvider time)
    {
        var prefetched = new PrefetchedCacheRead(ChannelCache.BeginGet(redis.GetDatabase(), channelId, time)) { _taken = 1 };
        context.Features.Set(prefetched);
        return prefetched.Read;
    }

    private PendingCacheRead Read => read;
}
