using System.Net.Http.Headers;
using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary>
/// Holds <c>--count</c> Server-Sent Events streams open for <c>--duration</c>, as that many idle dashboards would, and
/// reads whatever they send (events, keep-alives); a stream the server ends is opened again. Prints, at the end, the
/// streams open and the events and reconnections seen. For <c>make benchmark-scale STREAMS=1000</c>: the read path's
/// figures with that many clients connected.
/// </summary>
public sealed class StreamsCommand : AsyncCommand<StreamsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StreamsSettings settings, CancellationToken cancellationToken)
    {
        var url = new Uri(settings.Url);
        var duration = StressOptions.ParseDuration(settings.Duration);
        if (!StressOptions.IsLoopback(url) || settings.Count < 1 || duration <= TimeSpan.Zero || duration > StressOptions.LongestRun)
        {
            await Console.Error.WriteLineAsync("A loopback URL, a count >= 1 and a duration up to 1h, please.");
            return 2;
        }

        var tokens = settings.Tokens is { } file ? File.ReadAllLines(file).Where(line => line.Length > 0).ToArray() : [];
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Count + 16, UseCookies = false })
        {
            BaseAddress = url,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        using var end = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        end.CancelAfter(duration);
        long open = 0, events = 0, reconnects = 0, refused = 0;
        var streams = Enumerable.Range(0, settings.Count).Select(async i =>
        {
            while (!end.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/videos/stream?channel_id={settings.Channel}");
                    if (tokens.Length > 0)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i % tokens.Length]);
                    }

                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, end.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref refused);
                        await Task.Delay(TimeSpan.FromSeconds(1), end.Token);
                        continue;
                    }

                    Interlocked.Increment(ref open);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(end.Token));
                    try
                    {
                        while (await reader.ReadLineAsync(end.Token) is { } line)
                        {
                            if (line.StartsWith("event:", StringComparison.Ordinal))
                            {
                                Interlocked.Increment(ref events);
                            }
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref open);
                    }

                    Interlocked.Increment(ref reconnects);
                }
                catch (OperationCanceledException) when (end.IsCancellationRequested)
                {
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }
        }).ToList();

        using var report = new PeriodicTimer(TimeSpan.FromSeconds(30));
        var ticking = Task.Run(async () =>
        {
            while (await report.WaitForNextTickAsync(CancellationToken.None) && !end.IsCancellationRequested)
            {
                Console.WriteLine($"streams open={Interlocked.Read(ref open)} events={Interlocked.Read(ref events)} reconnects={Interlocked.Read(ref reconnects)} refused={Interlocked.Read(ref refused)}");
            }
        }, CancellationToken.None);
        await Task.WhenAll(streams);
        report.Dispose();
        await ticking;
        Console.WriteLine($"streams held={settings.Count} events={events} reconnects={reconnects} refused={refused}");
        return 0;
    }
}
