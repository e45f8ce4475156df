using System.Collections.Concurrent;

namespace VideoAspire.StressTest;

/// <summary>
/// Everything the run measured: per second (for the charts and the live view) and per endpoint (for the table).
/// A request counts as failed on a transport error (status 0), 429, any other 4xx but 404 (a channel that does not
/// exist is a correct answer), or 5xx.
/// </summary>
public sealed class RunRecorder(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private readonly ConcurrentDictionary<int, SecondStats> _seconds = new();
    private readonly ConcurrentDictionary<string, EndpointStats> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Endpoint, int Second), long> _perSecond = new();
    private int _users;

    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    public int Users => Volatile.Read(ref _users);

    public IReadOnlyCollection<EndpointStats> Endpoints => _endpoints.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    public void UserStarted() => Interlocked.Increment(ref _users);

    public void UserStopped() => Interlocked.Decrement(ref _users);

    public static bool IsFailure(int status) => status is 0 or 429 or >= 500 || (status is >= 400 and < 500 && status != 404);

    public void Record(string endpoint, int status, TimeSpan latency)
    {
        var second = (int)Elapsed.TotalSeconds;
        var slot = _seconds.GetOrAdd(second, _ => new SecondStats());
        slot.Latency.Record(latency);
        slot.Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        slot.Users = Users;
        var stats = _endpoints.GetOrAdd(endpoint, name => new EndpointStats(name));
        stats.Latency.Record(latency);
        stats.Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        _perSecond.AddOrUpdate((endpoint, second), 1, (_, n) => n + 1);
        if (IsFailure(status))
        {
            slot.Failed();
            stats.Failed();
        }
    }

    /// <summary>The whole seconds so far, in order; a second with no answer is empty, not missing.</summary>
    public IReadOnlyList<SecondStats> Seconds(int? upTo = null)
    {
        var last = upTo ?? (_seconds.IsEmpty ? -1 : _seconds.Keys.Max());
        return Enumerable.Range(0, last + 1).Select(s => _seconds.TryGetValue(s, out var stats) ? stats : new SecondStats { Users = Users }).ToList();
    }

    /// <summary>Requests per second of each endpoint over the last whole second (the live view's "current" column).</summary>
    public void UpdateCurrentRates()
    {
        var second = (int)Elapsed.TotalSeconds - 1;
        foreach (var stats in _endpoints.Values)
        {
            stats.CurrentPerSecond = _perSecond.GetValueOrDefault((stats.Name, second));
        }
    }

    public LatencyHistogram Total()
    {
        var total = new LatencyHistogram();
        foreach (var stats in _endpoints.Values)
        {
            total.Add(stats.Latency);
        }

        return total;
    }
}
