using System.Collections.Concurrent;

namespace VideoAspire.StressTest;

/// <summary>What happened in one second of the run.</summary>
public sealed class SecondStats
{
    public LatencyHistogram Latency { get; } = new();

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    public int Users { get; set; }

    public void Failed() => Interlocked.Increment(ref _failures);
}
