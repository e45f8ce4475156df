using StackExchange.Redis;

namespace VideoAspire.Redis.Caching;

/// <summary>A read of a channel's all-kinds entry and write version already sent (<see cref="ChannelCache.BeginGet"/>),
/// not yet counted as a hit or a miss.</summary>
/// <param name="Values">The entry, then the write version.</param>
/// <param name="SentAt">When it was sent (<see cref="TimeProvider.GetTimestamp"/>).</param>
public readonly record struct PendingCacheRead(string ChannelId, Task<RedisValue[]> Values, long SentAt)
{
    /// <summary>True when Redis answered that the channel has no entry.</summary>
    public bool FoundNoEntry => Values.IsCompletedSuccessfully && Values.Result[0].IsNull;

    /// <summary>True when Redis answered with the entry.</summary>
    public bool FoundEntry => Values.IsCompletedSuccessfully && !Values.Result[0].IsNull;
}
