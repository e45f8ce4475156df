using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace VideoAspire.StressTest;

/// <summary>
/// Simulated users started at the spawn rate, each a closed loop over a realistic mix: reads of channels by Zipf's law
/// over the channel list (s = 1: a few hot, a long tail), a share of cold channels nobody has, batch reads,
/// revalidations of the previous answer (If-None-Match), and, with a token, writes. Stops by itself after the duration.
/// </summary>
public sealed class StressRun(StressOptions options, RunRecorder recorder)
{
    public const string Read = "GET /videos";
    public const string ColdRead = "GET /videos (cold channel)";
    public const string BatchRead = "GET /videos (batch)";
    public const string Revalidation = "GET /videos (If-None-Match)";
    public const string Write = "PUT /channels/{id}/videos";

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private readonly double[] _zipf = CumulativeZipf(options.Channels.Count);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(options.Duration);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Users,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = options.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };

        var users = new List<Task>(options.Users);
        var spawnEvery = TimeSpan.FromSeconds(1 / options.SpawnRate);
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var user = 0; user < options.Users && !stop.IsCancellationRequested; user++)
            {
                users.Add(UserAsync(http, user, stop.Token));
                // On schedule however long starting took: user n starts at n / spawn rate.
                var due = spawnEvery * (user + 1) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, stop.Token);
                }
            }

            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(users);
    }

    private async Task UserAsync(HttpClient http, int index, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed + index);
        (string Channel, string ETag)? previous = null;
        recorder.UserStarted();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var request = NextRequest(random, previous, out var endpoint, out var channel);
                var started = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    status = (int)response.StatusCode;
                    if (endpoint == Read && response.Headers.ETag is { } etag)
                    {
                        previous = (channel!, etag.Tag);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // the run ended mid-request: not a failure of the service
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }

                recorder.Record(endpoint, status, Stopwatch.GetElapsedTime(started));
                var think = options.ThinkTime * (0.5 + random.NextDouble());
                if (think > TimeSpan.Zero)
                {
                    await Task.Delay(think, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            recorder.UserStopped();
        }
    }

    private HttpRequestMessage NextRequest(Random random, (string Channel, string ETag)? previous, out string endpoint, out string? channel)
    {
        var roll = random.NextDouble();
        channel = null;
        if (options.WriteToken is not null && (roll -= options.WriteShare) < 0)
        {
            endpoint = Write;
            // A few channels of the run's own: the writes never touch the channels being read.
            var target = "UCstresstest" + random.Next(10).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
            var body = $$"""{"videos":[{"video_id":"{{RandomId(random, 11)}}","video_title":"Stress test upload","published_at":"{{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}"}]}""";
            return Authorized(new HttpRequestMessage(HttpMethod.Put, $"/channels/{target}/videos")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            }, options.WriteToken);
        }

        if ((roll -= options.ColdShare) < 0)
        {
            endpoint = ColdRead;
            return Authorized(new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id=UC{RandomId(random, 22)}"), options.ReadToken);
        }

        if ((roll -= options.BatchShare) < 0)
        {
            endpoint = BatchRead;
            var ids = Enumerable.Range(0, random.Next(2, 6)).Select(_ => "channel_id=" + Popular(random));
            return Authorized(new HttpRequestMessage(HttpMethod.Get, "/videos?" + string.Join('&', ids)), options.ReadToken);
        }

        if (previous is { } last && (roll -= options.RevalidateShare) < 0)
        {
            endpoint = Revalidation;
            var revalidation = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={last.Channel}");
            revalidation.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(last.ETag));
            return Authorized(revalidation, options.ReadToken);
        }

        endpoint = Read;
        channel = Popular(random);
        return Authorized(new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={channel}"), options.ReadToken);
    }

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>A channel by Zipf's law (s = 1) over the list: the k-th is read in proportion to 1/k.</summary>
    private string Popular(Random random)
    {
        var index = Array.BinarySearch(_zipf, random.NextDouble());
        return options.Channels[Math.Min(index < 0 ? ~index : index, options.Channels.Count - 1)];
    }

    private static double[] CumulativeZipf(int count)
    {
        var weights = Enumerable.Range(1, count).Select(k => 1.0 / k).ToArray();
        var total = weights.Sum();
        var cumulative = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += weights[i] / total;
            cumulative[i] = sum;
        }

        return cumulative;
    }

    private static string RandomId(Random random, int length) =>
        string.Create(length, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = IdAlphabet[r.Next(IdAlphabet.Length)];
            }
        });
}
