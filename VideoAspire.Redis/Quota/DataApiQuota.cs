using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Quota;

/// <summary>
/// The day's YouTube Data API units, shared by every replica of every service through Redis counters per Pacific day
/// (YouTube resets quotas at midnight Pacific): one for the day, one per caller. Each call reserves its unit first; past
/// a limit the Data API is not called and the keyless feed answers instead. Callers' lookups together never take the
/// share kept for the scheduled refresh, and one caller never takes more than its own daily units, so no single token
/// can spend the day and leave the refresh on the feed until midnight.
/// While Redis is unreachable nothing can be counted, so nothing is spent: the feed answers then too.
/// </summary>
public sealed partial class DataApiQuota(
    IConnectionMultiplexer redis,
    TimeProvider timeProvider,
    ILogger<DataApiQuota> logger) : IDataApiQuota
{
    private static readonly TimeZoneInfo Pacific = FindPacific();

    /// <summary>Every series the dashboard and alerts read exists from the start, at zero (a counter never added to is
    /// not exported at all, and "no data" is not "none refused").</summary>
    private static readonly bool SeriesInitialized = InitializeSeries();

    private static bool InitializeSeries()
    {
        foreach (var (payer, limit) in new[] { ("service", "day"), ("caller", "day"), ("caller", "callers"), ("caller", "caller") })
        {
            VideoAspireTelemetry.QuotaRefusals.Add(0, new("payer", payer), new("limit", limit));
        }

        VideoAspireTelemetry.QuotaUnits.Add(0, new KeyValuePair<string, object?>("payer", "service"));
        VideoAspireTelemetry.QuotaUnits.Add(0, new KeyValuePair<string, object?>("payer", "caller"));
        return true;
    }

    // Checked, then counted, in one step. KEYS: the day's counter, then the caller's (none for the service).
    // ARGV: units, the day's units, the service's reserved units, the caller's daily units. Counters outlive their day
    // by a day. Returns 1 (reserved), 0 (the day is spent), -1 (the callers' share is), -2 (this caller's units are).
    private const string ReserveScript = """
        local units = tonumber(ARGV[1])
        local used = tonumber(redis.call('get', KEYS[1]) or '0')
        if used + units > tonumber(ARGV[2]) then return 0 end
        if KEYS[2] then
          if used + units > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return -1 end
          if tonumber(redis.call('get', KEYS[2]) or '0') + units > tonumber(ARGV[4]) then return -2 end
          redis.call('incrby', KEYS[2], units)
          redis.call('expire', KEYS[2], 172800)
        end
        redis.call('incrby', KEYS[1], units)
        redis.call('expire', KEYS[1], 172800)
        return 1
        """;

    public async Task<bool> TryReserveAsync(int units, QuotaPayer payer, DataApiLimits limits)
    {
        _ = SeriesInitialized;
        var now = timeProvider.GetUtcNow();
        RedisKey[] keys = payer.CallerKey is { } caller ? [KeyFor(now), CallerKeyFor(now, caller)] : [KeyFor(now)];
        try
        {
            var outcome = (long)await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, keys,
                [units, limits.DailyUnits, limits.ServiceReservedUnits, limits.CallerDailyUnits]);
            if (outcome == 1)
            {
                VideoAspireTelemetry.QuotaUnits.Add(units, new KeyValuePair<string, object?>("payer", payer.Kind));
                return true;
            }

            var limit = outcome switch { 0 => "day", -1 => "callers", _ => "caller" };
            VideoAspireTelemetry.QuotaRefusals.Add(1, new("payer", payer.Kind), new("limit", limit));
            if (outcome == 0)
            {
                LogBudgetSpent(limits.DailyUnits);
            }
            else
            {
                LogCallerLimit(payer.CallerKey!, limit);
            }

            return false;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            LogUncounted(ex);
            return false;
        }
    }

    /// <summary>The counter of the Pacific calendar day that contains <paramref name="now"/>.</summary>
    /// <remarks>The day is the hash tag, so a day's counters share a slot on a Redis Cluster (one script uses two).</remarks>
    public static string KeyFor(DateTimeOffset now) => $"videos:{{quota:{PacificDay(now)}}}:data-api";

    /// <summary>One caller's counter of that day.</summary>
    public static string CallerKeyFor(DateTimeOffset now, string callerKey) => $"videos:{{quota:{PacificDay(now)}}}:data-api:{callerKey}";

    private static string PacificDay(DateTimeOffset now) =>
        TimeZoneInfo.ConvertTime(now, Pacific).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Data API units for {CallerKey} refused ({Limit} limit reached); its lookups use the channel feed")]
    private partial void LogCallerLimit(string callerKey, string limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data API quota cannot be counted (Redis unavailable); using the channel feed")]
    private partial void LogUncounted(Exception exception);
}
