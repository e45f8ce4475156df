using StackExchange.Redis;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// The Redis lock held by the one instance fetching a cold channel from YouTube: <c>SET NX</c> with an expiry (a holder
/// that dies releases it by expiring), released only by its holder. Without Redis there is no coordination across
/// instances, and every instance may fetch.
/// </summary>
public sealed class FetchLock(IConnectionMultiplexer redis, Outages outages)
{
    /// <returns>A token to release the lock with, or null when another instance holds it.</returns>
    public Task<string?> TryAcquireAsync(string channelId, VideoKind kind, TimeSpan expiry) =>
        TryAcquireAsync(CacheKeys.FetchLock(channelId, kind), expiry);

    public Task<bool> IsHeldAsync(string channelId, VideoKind kind) => IsHeldAsync(CacheKeys.FetchLock(channelId, kind));

    public Task ReleaseAsync(string channelId, VideoKind kind, string token) => ReleaseAsync(CacheKeys.FetchLock(channelId, kind), token);

    /// <summary>The same lock under another key (<see cref="CacheKeys.ResolutionLock"/>).</summary>
    public async Task<string?> TryAcquireAsync(RedisKey key, TimeSpan expiry)
    {
        var token = Guid.NewGuid().ToString("N");
        try
        {
            return await redis.GetDatabase().StringSetAsync(key, token, expiry, When.NotExists) ? token : null;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "fetch-lock");
            return token; // without Redis there is no cross-instance coordination: fetch locally
        }
    }

    /// <summary>False also when Redis cannot say: the caller then stops waiting for a holder it cannot see.</summary>
    public async Task<bool> IsHeldAsync(RedisKey key)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(key);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            return false;
        }
    }

    public async Task ReleaseAsync(RedisKey key, string token)
    {
        try
        {
            // Only our own lock: if it expired and another instance took it, leave theirs alone.
            await redis.GetDatabase().ScriptEvaluateAsync(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
                [key], [token]);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            // It expires by itself.
        }
    }
}
