namespace VideoAspire.StressTest;

/// <summary>
/// Latencies in logarithmic bins (2% wide, 10 µs to about 2 minutes): constant memory whatever the request count,
/// percentiles within 2%. Safe to record into from many threads.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Growth = 1.02;
    private const double SmallestMicroseconds = 10;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _bins = new long[850];
    private long _count;
    private long _maxMicroseconds;

    public long Count => Interlocked.Read(ref _count);

    public double MaxMilliseconds => Interlocked.Read(ref _maxMicroseconds) / 1000.0;

    public void Record(TimeSpan latency)
    {
        var microseconds = Math.Max(SmallestMicroseconds, latency.TotalMicroseconds);
        var bin = Math.Min(_bins.Length - 1, (int)(Math.Log(microseconds / SmallestMicroseconds) / LogGrowth));
        Interlocked.Increment(ref _bins[bin]);
        Interlocked.Increment(ref _count);
        var whole = (long)microseconds;
        for (var max = Interlocked.Read(ref _maxMicroseconds); whole > max; max = Interlocked.Read(ref _maxMicroseconds))
        {
            if (Interlocked.CompareExchange(ref _maxMicroseconds, whole, max) == max)
            {
                break;
            }
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _bins.Length; i++)
        {
            Interlocked.Add(ref _bins[i], Interlocked.Read(ref other._bins[i]));
        }

        Interlocked.Add(ref _count, other.Count);
        var otherMax = Interlocked.Read(ref other._maxMicroseconds);
        if (otherMax > Interlocked.Read(ref _maxMicroseconds))
        {
            Interlocked.Exchange(ref _maxMicroseconds, otherMax);
        }
    }

    /// <summary>The latency under which this share of requests finished, in milliseconds (0 when empty).</summary>
    public double PercentileMilliseconds(double share)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(share * count);
        long seen = 0;
        for (var i = 0; i < _bins.Length; i++)
        {
            seen += Interlocked.Read(ref _bins[i]);
            if (seen >= rank)
            {
                // The bin's upper edge, never past the largest latency seen.
                return Math.Min(SmallestMicroseconds * Math.Pow(Growth, i + 1), Interlocked.Read(ref _maxMicroseconds)) / 1000.0;
            }
        }

        return MaxMilliseconds;
    }
}
