using System.Globalization;
using System.Net;
using System.Text;

namespace VideoAspire.StressTest;

/// <summary>
/// The run as one self-contained HTML file: parameters, the table per endpoint, statuses, and charts over time
/// (requests/s with failures and users, latency percentiles, responses by status) drawn as inline SVG. No script,
/// font or stylesheet is fetched: it opens the same with no network.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];

    public static string Write(StressOptions options, RunRecorder recorder, DateTimeOffset startedAt)
    {
        Directory.CreateDirectory(options.ReportDirectory);
        var path = Path.GetFullPath(Path.Combine(options.ReportDirectory, $"stress-{startedAt:yyyyMMdd-HHmmss}.html"));
        File.WriteAllText(path, Render(options, recorder, startedAt));
        return path;
    }

    public static string Render(StressOptions options, RunRecorder recorder, DateTimeOffset startedAt)
    {
        var seconds = recorder.Seconds();
        var total = recorder.Total();
        var failures = recorder.Endpoints.Sum(e => e.Failures);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>VideoAspire stress test {{startedAt:yyyy-MM-dd HH:mm:ss}}</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #111827; }
            table { border-collapse: collapse; margin: 1rem 0; }
            th, td { border: 1px solid #d1d5db; padding: .3rem .6rem; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #f3f4f6; }
            figure { margin: 1.5rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
            .failed { color: #dc2626; font-weight: 600; }
            </style></head><body>
            <h1>VideoAspire stress test</h1>
            <p>{{Encode(options.Url.ToString())}}, started {{startedAt:yyyy-MM-dd HH:mm:ss}} UTC, {{recorder.Elapsed.TotalSeconds:F0}} s:
            <strong>{{total.Count:N0}}</strong> requests, <strong>{{total.Count / Math.Max(1, recorder.Elapsed.TotalSeconds):N0}}</strong> per second,
            p50 {{total.PercentileMilliseconds(0.5):F1}} ms, p95 {{total.PercentileMilliseconds(0.95):F1}} ms, p99 {{total.PercentileMilliseconds(0.99):F1}} ms,
            <span class="{{(failures > 0 ? "failed" : "")}}">{{failures:N0}} failures</span>.</p>
            <h2>Parameters</h2>
            <table id="parameters"><tr><th>Parameter</th><th>Value</th></tr>
            """);
        foreach (var (name, value) in Parameters(options))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(name)}</td><td>{Encode(value)}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Per endpoint</h2>\n<table id=\"endpoints\"><tr><th>Endpoint</th><th>Requests</th><th>Failures</th>" +
                    "<th>Req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>Max ms</th><th>Statuses</th></tr>\n");
        foreach (var endpoint in recorder.Endpoints)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(endpoint.Name)}</td><td>{endpoint.Latency.Count:N0}</td><td{(endpoint.Failures > 0 ? " class=\"failed\"" : "")}>{endpoint.Failures:N0}</td>" +
                $"<td>{endpoint.Latency.Count / Math.Max(1, recorder.Elapsed.TotalSeconds):N1}</td><td>{endpoint.Latency.PercentileMilliseconds(0.5):F2}</td>" +
                $"<td>{endpoint.Latency.PercentileMilliseconds(0.95):F2}</td><td>{endpoint.Latency.PercentileMilliseconds(0.99):F2}</td>" +
                $"<td>{endpoint.Latency.MaxMilliseconds:F1}</td><td>{Encode(LiveView.Statuses(endpoint.Statuses))}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Over time</h2>\n");
        html.Append(Chart("requests", "Requests per second, failures per second and users", "per second / users",
        [
            ("requests/s", seconds.Select(s => (double)s.Latency.Count).ToList()),
            ("failures/s", seconds.Select(s => (double)s.Failures).ToList()),
            ("users", seconds.Select(s => (double)s.Users).ToList()),
        ]));
        html.Append(Chart("latency", "Response time percentiles (ms)", "ms",
        [
            ("p50", seconds.Select(s => s.Latency.PercentileMilliseconds(0.5)).ToList()),
            ("p95", seconds.Select(s => s.Latency.PercentileMilliseconds(0.95)).ToList()),
            ("p99", seconds.Select(s => s.Latency.PercentileMilliseconds(0.99)).ToList()),
        ]));
        var statuses = seconds.SelectMany(s => s.Statuses.Keys).Distinct().Order().ToList();
        html.Append(Chart("statuses", "Responses per second by status (0: no answer)", "per second",
            statuses.Select(status => (status == 0 ? "no answer" : status.ToString(CultureInfo.InvariantCulture),
                seconds.Select(s => (double)s.Statuses.GetValueOrDefault(status)).ToList())).ToList()));
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static IEnumerable<(string Name, string Value)> Parameters(StressOptions options) =>
    [
        ("URL", options.Url.ToString()),
        ("Users", options.Users.ToString(CultureInfo.InvariantCulture)),
        ("Spawn rate (users/s)", options.SpawnRate.ToString(CultureInfo.InvariantCulture)),
        ("Duration", options.Duration.ToString()),
        ("Think time", options.ThinkTime.ToString()),
        ("Channels (Zipf, s = 1)", options.Channels.Count.ToString(CultureInfo.InvariantCulture)),
        ("Cold share", options.ColdShare.ToString("P1", CultureInfo.InvariantCulture)),
        ("Batch share", options.BatchShare.ToString("P1", CultureInfo.InvariantCulture)),
        ("Revalidation share", options.RevalidateShare.ToString("P1", CultureInfo.InvariantCulture)),
        ("Write share", options.WriteToken is null ? "none (no token)" : options.WriteShare.ToString("P1", CultureInfo.InvariantCulture)),
        ("Machine", $"{Environment.MachineName}, {Environment.ProcessorCount} cores, .NET {Environment.Version}"),
    ];

    private static readonly int[] NiceSteps = [1, 2, 5, 10];

    /// <summary>A line chart of series over the run's seconds, as inline SVG with axes, grid and a legend.</summary>
    private static string Chart(string id, string title, string unit, List<(string Name, List<double> Values)> series)
    {
        const int width = 1000, height = 270, left = 60, right = 20, top = 24, bottom = 30;
        var points = Math.Max(2, series.Count == 0 ? 2 : series.Max(s => s.Values.Count));
        var max = NiceCeiling(series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        double X(int i) => left + (width - left - right) * i / (double)(points - 1);
        double Y(double v) => top + (height - top - bottom) * (1 - v / max);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<figure id=\"{id}\"><figcaption>{Encode(title)}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height + 30}\" width=\"{width}\" role=\"img\" aria-label=\"{Encode(title)}\">\n");
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = max * tick / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(value):F1}\" y2=\"{Y(value):F1}\" stroke=\"#e5e7eb\"/>" +
                $"<text x=\"{left - 6}\" y=\"{Y(value) + 4:F1}\" font-size=\"11\" text-anchor=\"end\">{value:G4}</text>\n");
        }

        var step = Math.Max(1, (points - 1) / 10);
        for (var i = 0; i < points; i += step)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{X(i):F1}\" y=\"{height - bottom + 16}\" font-size=\"11\" text-anchor=\"middle\">{i} s</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"12\" y=\"12\" font-size=\"11\">{Encode(unit)}</text>\n");
        for (var s = 0; s < series.Count; s++)
        {
            var (name, values) = series[s];
            var color = Palette[s % Palette.Length];
            var line = string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(v):F1}")));
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline class=\"series\" data-name=\"{Encode(name)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" points=\"{line}\"/>\n" +
                $"<rect x=\"{left + s * 130}\" y=\"{height + 12}\" width=\"12\" height=\"12\" fill=\"{color}\"/>" +
                $"<text x=\"{left + s * 130 + 18}\" y=\"{height + 22}\" font-size=\"12\">{Encode(name)}</text>\n");
        }

        svg.Append("</svg></figure>\n");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least the value (an axis that ends on a round number).</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return NiceSteps.Select(f => f * magnitude).First(candidate => candidate >= value);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
