using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VideoAspire.Redis.Connection;

namespace VideoAspire.Api.Security;

/// <summary>
/// How many channels we do not store a caller may make us look up on YouTube: <see cref="RateLimitingOptions.ColdLookupsPerMinute"/>,
/// a token bucket in Redis shared by every Api replica, refilled continuously. Counted per id (a batch of 50 unknown
/// ids costs 50), and only for lookups that would reach YouTube: stored channels, known-missing ids and fetches already
/// in flight cost nothing. While Redis is unreachable lookups are let through: the Data API quota cannot be counted
/// then either, so only the keyless feed is used, which costs no quota.
/// </summary>
public sealed partial class ColdLookupLimiter(
    IConnectionMultiplexer redis,
    IOptions<RateLimitingOptions> options,
    ILogger<ColdLookupLimiter> logger)
{
    // KEYS[1] bucket; ARGV[1] capacity; returns 0 when a token was taken, else milliseconds until one is there.
    private const string TakeScript = """
        local capacity = tonumber(ARGV[1])
        local now = redis.call('time')
        local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local rate = capacity / 60000
        local tokens = tonumber(redis.call('hget', KEYS[1], 'tokens') or capacity)
        local since = tonumber(redis.call('hget', KEYS[1], 'at') or now_ms)
        tokens = math.min(capacity, tokens + (now_ms - since) * rate)
        local wait = 0
        if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
        redis.call('hset', KEYS[1], 'tokens', tostring(tokens), 'at', now_ms)
        redis.call('pexpire', KEYS[1], 120000)
        return wait
        """;

    /// <returns>Null when the lookup may go ahead; else how long until the caller may try again.</returns>
    public async Task<TimeSpan?> TryAcquireAsync(Caller caller)
    {
        try
        {
            var wait = (long)await redis.GetDatabase().ScriptEvaluateAsync(TakeScript,
                [BucketKey(caller.Key)], [options.Value.ColdLookupsPerMinute]);
            if (wait == 0)
            {
                return null;
            }

            LogLimited(caller.Key);
            return TimeSpan.FromMilliseconds(wait);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            return null;
        }
    }

    /// <summary>The caller's bucket: hashed, so a hostile subject cannot make keys of any size.</summary>
    private static string BucketKey(string caller) =>
        $"videos:cold-lookups:{XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(caller)):x16}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Cold lookups of {Caller} limited")]
    private partial void LogLimited(string caller);
}
