// make stress-test USERS=200 SPAWN_RATE=20 DURATION=2m   (every knob also a flag: --users, --spawn-rate, --duration,
// --think-time, --cold-share, --batch-share, --revalidate-share, --write-share, --write-token, --read-token, --url)
using VideoAspire.StressTest;

StressOptions options;
try
{
    options = StressOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UriFormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var health = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(5) };
try
{
    (await health.GetAsync("/health")).EnsureSuccessStatusCode();
}
catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"No healthy instance at {options.Url}: start one with `make run` first ({ex.Message}).");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); }; // Ctrl+C ends the run early, with its report
var startedAt = DateTimeOffset.UtcNow;
var recorder = new RunRecorder(TimeProvider.System);
var run = new StressRun(options, recorder).RunAsync(cancel.Token);
await LiveView.ShowWhileAsync(run, options, recorder);
await run;

Console.WriteLine(LiveView.Line(options, recorder));
Console.WriteLine($"Report: {HtmlReport.Write(options, recorder, startedAt)}");
return 0;
