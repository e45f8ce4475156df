using StackExchange.Redis;
using VideoAspire.Redis.Connection;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// The negative cache: channels YouTube said do not exist, remembered for a while (<c>YouTube:NegativeCacheTtl</c>)
/// so that a flood of bogus ids costs one upstream lookup each. Per kind, like every answer: the mark is left by the
/// fetch that found the channel missing, for the kind it was asked for. A write to the channel clears every kind's
/// (<see cref="ChannelCache.InvalidateAsync"/>).
/// </summary>
public sealed class UnknownChannels(IConnectionMultiplexer redis)
{
    /// <summary>False when Redis cannot say: YouTube is asked (the single flight still bounds how often).</summary>
    public async Task<bool> ContainsAsync(string channelId, VideoKind kind = VideoKind.All)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(CacheKeys.UnknownChannel(channelId, kind));
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            return false;
        }
    }

    public async Task AddAsync(string channelId, VideoKind kind, TimeSpan lifetime)
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(CacheKeys.UnknownChannel(channelId, kind), 1, lifetime);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            // Without Redis the next request asks YouTube again; the single flight still bounds concurrency.
        }
    }
}
