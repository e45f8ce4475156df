using System.Diagnostics;
using System.Globalization;
using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary>
/// Latency at a fixed arrival rate: requests start on a schedule (one every 1/rate s), never waiting for earlier answers,
/// and each latency is measured from when its request was due, not when it was sent, so a stall of the server (or of
/// this generator) shows in the percentiles instead of silently pausing the load (no coordinated omission). Prints one
/// line: <c>rate=… achieved=… p50=… p99=… p999=… max=… errors=… lag_p99=… over5ms=… in_worst_2s=…</c> (milliseconds;
/// the last two: the share of requests slower than 5 ms, and the share of those due within the two worst seconds,
/// which tells stalls, a few seconds holding the whole tail, from service time spread over the run).
/// </summary>
/// <remarks>Hand-written: wrk measures closed loops only, and wrk2 (its open-loop fork) is not packaged here.</remarks>
public sealed class OpenLoopCommand : AsyncCommand<OpenLoopSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, OpenLoopSettings settings, CancellationToken cancellationToken)
    {
        var url = new Uri(settings.Url);
        var duration = StressOptions.ParseDuration(settings.Duration);
        if (!StressOptions.IsLoopback(url) || settings.Rate <= 0 || duration <= TimeSpan.Zero || duration > StressOptions.LongestRun || settings.Channels < 1)
        {
            await Console.Error.WriteLineAsync("A loopback URL, a rate > 0, a duration up to 1h and channels >= 1, please.");
            return 2;
        }

        var tokens = settings.Tokens is { } file ? File.ReadAllLines(file).Where(line => line.Length > 0).ToArray() : [];
        var zipf = new ZipfChannels(settings.Channels, settings.Seed);
        using var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            UseCookies = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        });

        var latencies = new LatencyHistogram();
        var lags = new LatencyHistogram();
        var errors = 0L;
        var total = (long)(settings.Rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / settings.Rate;
        var inFlight = new List<Task>(1024);
        var slowBySecond = new long[(int)Math.Ceiling(duration.TotalSeconds) + 1];
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * interval);
            var now = Stopwatch.GetTimestamp();
            if (due > now)
            {
                // Sleep in steps of a millisecond or so (the timer's grain): what is due meanwhile starts together,
                // and is still measured from when it was due.
                await Task.Delay(TimeSpan.FromTicks((due - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency), cancellationToken);
            }

            lags.Record(Stopwatch.GetElapsedTime(due));
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, $"/videos?channel_id=UC{zipf.Next():D22}"));
            if (tokens.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + tokens[i % tokens.Length]);
            }

            inFlight.Add(SendAsync(request, due));
            if (inFlight.Count >= 1024)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
        var elapsed = Stopwatch.GetElapsedTime(start);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate={settings.Rate:F0} achieved={latencies.Count / elapsed.TotalSeconds:F0} p50={latencies.PercentileMilliseconds(0.5):F2} " +
            $"p99={latencies.PercentileMilliseconds(0.99):F2} p999={latencies.PercentileMilliseconds(0.999):F2} max={latencies.MaxMilliseconds:F2} " +
            $"errors={errors} lag_p99={lags.PercentileMilliseconds(0.99):F2} {StallShare(slowBySecond, latencies.Count)}"));
        return 0;

        async Task SendAsync(HttpRequestMessage request, long due)
        {
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                await response.Content.CopyToAsync(Stream.Null, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
            finally
            {
                var latency = Stopwatch.GetElapsedTime(due);
                latencies.Record(latency);
                if (latency > SlowLatency)
                {
                    Interlocked.Increment(ref slowBySecond[Math.Min(slowBySecond.Length - 1, (int)((due - start) / Stopwatch.Frequency))]);
                }

                request.Dispose();
            }
        }
    }

    private static readonly TimeSpan SlowLatency = TimeSpan.FromMilliseconds(5);

    private static string StallShare(long[] slowBySecond, long count)
    {
        var slow = slowBySecond.Sum();
        var worstTwo = slowBySecond.OrderDescending().Take(2).Sum();
        return string.Create(CultureInfo.InvariantCulture,
            $"over5ms={100.0 * slow / Math.Max(1, count):F1}% in_worst_2s={100.0 * worstTwo / Math.Max(1, slow):F0}%");
    }
}
