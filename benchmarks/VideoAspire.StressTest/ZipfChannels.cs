namespace VideoAspire.StressTest;

/// <summary>
/// Channel numbers 1…N with Zipf (s = 1) popularity, as <c>benchmarks/zipf-channels.lua</c> draws them: exact for the
/// 10,000 most popular, the continuous approximation for the tail, popular ranks spread over the id space.
/// </summary>
public sealed class ZipfChannels
{
    private const double Gamma = 0.5772156649015329;
    private readonly int _channels;
    private readonly double[] _cumulative;
    private readonly double _total;
    private readonly Random _random;

    public ZipfChannels(int channels, int seed)
    {
        _channels = channels;
        _random = new Random(seed);
        _cumulative = new double[Math.Min(channels, 10_000)];
        var harmonic = 0.0;
        for (var k = 1; k <= _cumulative.Length; k++)
        {
            harmonic += 1.0 / k;
            _cumulative[k - 1] = harmonic;
        }

        _total = channels > _cumulative.Length ? Math.Log(channels) + Gamma + 1.0 / (2 * channels) : harmonic;
    }

    public long Next()
    {
        var target = _random.NextDouble() * _total;
        long rank;
        if (target <= _cumulative[^1])
        {
            var index = Array.BinarySearch(_cumulative, target);
            rank = (index >= 0 ? index : ~index) + 1;
        }
        else
        {
            rank = Math.Min(_channels, Math.Max(_cumulative.Length + 1, (long)Math.Floor(Math.Exp(target - Gamma))));
        }

        return (rank - 1) * 2654435761L % _channels + 1;
    }
}
