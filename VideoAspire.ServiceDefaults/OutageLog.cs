using Microsoft.Extensions.Logging;

namespace VideoAspire.Telemetry;

/// <summary>
/// Logs a dependency's failures once per change of state instead of once per failed operation: "down" with the first
/// exception, "still down" at most every <see cref="ReminderInterval"/> with the number of failures since, "back" with
/// the outage's length. During a Redis outage under load every cache lookup fails; a stack trace for each was a million
/// lines in 90 seconds. Every failure is still counted in metrics by the caller.
/// </summary>
public sealed partial class OutageLog(string dependency, ILogger logger, TimeProvider timeProvider)
{
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private volatile bool _down;
    private long _failures;
    private long _downSince;
    private long _lastReport;

    public bool IsDown => _down;

    /// <summary>How often <see cref="ShouldTry"/> lets a caller through while the dependency is down.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private long _lastProbe;

    /// <summary>
    /// For callers that have an answer without the dependency (a stale cache entry): true while it is up, and while it is
    /// down for one caller a <see cref="ProbeInterval"/>, whose success (<see cref="Succeeded"/>) ends the outage.
    /// </summary>
    public bool ShouldTry()
    {
        if (!_down)
        {
            return true;
        }

        var now = timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastProbe);
        return timeProvider.GetElapsedTime(last, now) >= ProbeInterval && Interlocked.CompareExchange(ref _lastProbe, now, last) == last;
    }

    public void Failed(Exception exception, string operation)
    {
        var now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            _failures++;
            if (!_down)
            {
                _down = true;
                _downSince = _lastReport = now;
                LogDown(exception, dependency, operation);
            }
            else if (timeProvider.GetElapsedTime(_lastReport, now) >= ReminderInterval)
            {
                _lastReport = now;
                LogStillDown(dependency, timeProvider.GetElapsedTime(_downSince, now).TotalSeconds, _failures, exception.Message);
            }
        }
    }

    /// <summary>Cheap on the hot path: a volatile read unless the dependency was down.</summary>
    public void Succeeded()
    {
        if (!_down)
        {
            return;
        }

        lock (_lock)
        {
            if (_down)
            {
                _down = false;
                var outage = timeProvider.GetElapsedTime(_downSince);
                LogBack(dependency, outage.TotalSeconds, _failures);
                _failures = 0;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Dependency} unavailable ({Operation}); degrading until it answers again")]
    private partial void LogDown(Exception exception, string dependency, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Dependency} still unavailable after {Seconds:F0} s: {Failures} failed operations so far (last: {LastError})")]
    private partial void LogStillDown(string dependency, double seconds, long failures, string lastError);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Dependency} answers again after {Seconds:F0} s; {Failures} operations failed meanwhile")]
    private partial void LogBack(string dependency, double seconds, long failures);
}
