using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Connection;

namespace VideoAspire.Redis.Quota;

/// <summary>
/// The day's YouTube Data API units, shared by every replica of every service through one Redis counter per Pacific
/// day (YouTube resets quotas at midnight Pacific). Each call reserves its unit first; past the day's units the Data
/// API is not called and the keyless feed answers instead.
/// While Redis is unreachable nothing can be counted, so nothing is spent: the feed answers then too.
/// </summary>
public sealed partial class DataApiQuota(
    IConnectionMultiplexer redis,
    TimeProvider timeProvider,
    ILogger<DataApiQuota> logger) : IDataApiQuota
{
    private static readonly TimeZoneInfo Pacific = FindPacific();

    // Reserve atomically: add, and take it back if that went past the budget. The counter outlives its day by a day.
    private const string ReserveScript = """
        local used = redis.call('incrby', KEYS[1], ARGV[1])
        if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], 172800) end
        if used > tonumber(ARGV[2]) then redis.call('decrby', KEYS[1], ARGV[1]) return 0 end
        return 1
        """;

    public async Task<bool> TryReserveAsync(int units, int dailyUnits)
    {
        try
        {
            var reserved = (long)await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript,
                [KeyFor(timeProvider.GetUtcNow())], [units, dailyUnits]) == 1;
            if (!reserved)
            {
                LogBudgetSpent(dailyUnits);
            }

            return reserved;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            LogUncounted(ex);
            return false;
        }
    }

    /// <summary>The counter of the Pacific calendar day that contains <paramref name="now"/>.</summary>
    public static string KeyFor(DateTimeOffset now) =>
        "videos:quota:data-api:" + TimeZoneInfo.ConvertTime(now, Pacific).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindPacific()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // No tz database (a minimal container): Pacific standard time, off by an hour in summer.
            return TimeZoneInfo.CreateCustomTimeZone("Pacific", TimeSpan.FromHours(-8), "Pacific", "Pacific");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The day's {DailyUnits} Data API units are spent; using the channel feed until midnight Pacific")]
    private partial void LogBudgetSpent(int dailyUnits);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data API quota cannot be counted (Redis unavailable); using the channel feed")]
    private partial void LogUncounted(Exception exception);
}
