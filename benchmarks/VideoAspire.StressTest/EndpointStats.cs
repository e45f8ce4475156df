using System.Collections.Concurrent;

namespace VideoAspire.StressTest;

/// <summary>One endpoint's totals over the run.</summary>
public sealed class EndpointStats(string name)
{
    public string Name { get; } = name;

    public LatencyHistogram Latency { get; } = new();

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Requests in the last whole second, for the live view.</summary>
    public long CurrentPerSecond { get; set; }

    public void Failed() => Interlocked.Increment(ref _failures);
}
