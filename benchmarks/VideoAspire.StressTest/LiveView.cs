using System.Globalization;
using Spectre.Console;

namespace VideoAspire.StressTest;

/// <summary>
/// What a Locust user watches: users, requests per second, percentiles, failures and statuses, per endpoint,
/// redrawn every second (on a terminal) or printed as a line every five seconds (in a log).
/// </summary>
public static class LiveView
{
    public static async Task ShowWhileAsync(Task run, StressOptions options, RunRecorder recorder)
    {
        if (!options.Interactive)
        {
            while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5))) != run)
            {
                recorder.UpdateCurrentRates();
                Console.WriteLine(Line(options, recorder));
            }

            return;
        }

        await AnsiConsole.Live(Render(options, recorder)).AutoClear(false).StartAsync(async context =>
        {
            while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1))) != run)
            {
                recorder.UpdateCurrentRates();
                context.UpdateTarget(Render(options, recorder));
            }

            context.UpdateTarget(Render(options, recorder));
        });
    }

    public static string Line(StressOptions options, RunRecorder recorder)
    {
        var recent = Recent(recorder);
        return string.Create(CultureInfo.InvariantCulture,
            $"{recorder.Elapsed.TotalSeconds,5:F0}/{options.Duration.TotalSeconds:F0} s  users {recorder.Users}/{options.Users}  " +
            $"{recent.Rate,8:F0} req/s  p50 {recent.Latency.PercentileMilliseconds(0.50):F1} ms  p95 {recent.Latency.PercentileMilliseconds(0.95):F1} ms  " +
            $"p99 {recent.Latency.PercentileMilliseconds(0.99):F1} ms  failures {recorder.Endpoints.Sum(e => e.Failures)}");
    }

    private static Rows Render(StressOptions options, RunRecorder recorder)
    {
        var recent = Recent(recorder);
        var header = new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{Markup.Escape(options.Url.ToString())}[/]   users [bold]{recorder.Users}[/]/{options.Users} (spawn {options.SpawnRate:F0}/s)   " +
            $"elapsed [bold]{recorder.Elapsed.TotalSeconds:F0}[/]/{options.Duration.TotalSeconds:F0} s   " +
            $"last 5 s: [bold]{recent.Rate:F0}[/] req/s, p50 {recent.Latency.PercentileMilliseconds(0.50):F1} ms, " +
            $"p95 {recent.Latency.PercentileMilliseconds(0.95):F1} ms, p99 {recent.Latency.PercentileMilliseconds(0.99):F1} ms"));

        var table = new Table().Border(TableBorder.Rounded).Expand();
        foreach (var column in new[] { "Endpoint", "Requests", "Failures", "Req/s now", "p50 ms", "p95 ms", "p99 ms", "Max ms", "Statuses" })
        {
            table.AddColumn(new TableColumn(column) { Alignment = column is "Endpoint" or "Statuses" ? Justify.Left : Justify.Right });
        }

        foreach (var endpoint in recorder.Endpoints)
        {
            table.AddRow(
                Markup.Escape(endpoint.Name),
                endpoint.Latency.Count.ToString("N0", CultureInfo.InvariantCulture),
                endpoint.Failures == 0 ? "0" : $"[red]{endpoint.Failures:N0}[/]",
                endpoint.CurrentPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                Format(endpoint.Latency.PercentileMilliseconds(0.50)),
                Format(endpoint.Latency.PercentileMilliseconds(0.95)),
                Format(endpoint.Latency.PercentileMilliseconds(0.99)),
                Format(endpoint.Latency.MaxMilliseconds),
                Markup.Escape(Statuses(endpoint.Statuses)));
        }

        return new Rows(header, table);
    }

    /// <summary>The last five whole seconds: steady enough to read, recent enough to follow a ramp.</summary>
    private static (double Rate, LatencyHistogram Latency) Recent(RunRecorder recorder)
    {
        var seconds = recorder.Seconds((int)recorder.Elapsed.TotalSeconds - 1).TakeLast(5).ToList();
        var latency = new LatencyHistogram();
        seconds.ForEach(s => latency.Add(s.Latency));
        return (seconds.Count == 0 ? 0 : (double)latency.Count / seconds.Count, latency);
    }

    public static string Statuses(IEnumerable<KeyValuePair<int, long>> statuses) =>
        string.Join("  ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key)} × {s.Value:N0}"));

    private static string Format(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);
}
