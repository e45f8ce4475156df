using System.Diagnostics;
using StackExchange.Redis;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Connection;

/// <summary>Which exceptions mean "Redis did not do it", and what every operation that degrades around one does.</summary>
public static class RedisFailures
{
    /// <summary>
    /// Unreachable, timed out, or the command refused, by the server or by the client before sending it
    /// (<see cref="RedisCommandException"/> is not a <see cref="RedisException"/>: a disabled command, keys of different
    /// slots on a cluster). Everywhere Redis is an accelerator, such a failure is a miss or a skipped write.
    /// </summary>
    /// <remarks>
    /// A <see cref="TaskCanceledException"/> whose token was never cancelled is the client giving up on a command (seen
    /// under load on a script's first evaluation): no caller's token is passed to Redis, so it cannot be a request's.
    /// </remarks>
    public static bool IsFailure(Exception exception) =>
        exception is RedisException or RedisCommandException or TimeoutException
            or TaskCanceledException { CancellationToken.IsCancellationRequested: false };

    /// <summary>
    /// A Redis operation failed and the caller carries on without it: the span says so, the failure is counted
    /// (<c>videoaspire.cache.errors{operation}</c>) and the outage log hears of it (one line per change of state).
    /// </summary>
    public static void Degraded(this Outages outages, Exception exception, string operation, Activity? activity = null)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        VideoAspireTelemetry.CacheErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        outages.Redis.Failed(exception, operation);
    }
}
