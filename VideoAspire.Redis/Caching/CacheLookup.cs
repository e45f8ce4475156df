namespace VideoAspire.Redis.Caching;

/// <summary>
/// What a read of a channel's latest-five entry found, and the channel's write version at that moment: a fill of what
/// the read then found in PostgreSQL lands only if no write came in between (<see cref="ChannelCache.FillAsync"/>).
/// </summary>
/// <param name="Videos">The entry (fresh or <paramref name="Stale"/>), or null on a miss.</param>
/// <param name="Stale">The entry is past its freshness (<see cref="CacheOptions.Ttl"/>): an answer only if PostgreSQL cannot give one.</param>
/// <param name="FreshUntil">Until when the entry was fresh.</param>
/// <param name="WriteVersion">How many writes the channel had within the read-your-writes window (0: none); -1 when Redis
/// did not answer, so unknown.</param>
/// <param name="SentAt">When the read was sent (<see cref="TimeProvider.GetTimestamp"/>).</param>
public readonly record struct CacheLookup(
    string ChannelId, VideoKind Kind, IReadOnlyList<LatestVideo>? Videos, long WriteVersion, long SentAt, bool Stale = false, DateTimeOffset FreshUntil = default)
{
    /// <summary>The entry, if fresh.</summary>
    public IReadOnlyList<LatestVideo>? Fresh => Stale ? null : Videos;

    /// <summary>Whether the channel was written within the read-your-writes window (when unsure: yes), so its database read
    /// goes to the primary.</summary>
    public bool RecentlyWritten => WriteVersion != 0;
}
