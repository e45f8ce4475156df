using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary>Checks the target is healthy, runs the users with the live view, writes the report.</summary>
public sealed class StressCommand : AsyncCommand<StressSettings>
{
    /// <summary>The application: this one command, with strict parsing (an unknown or misspelt flag is an error).</summary>
    public static CommandApp<StressCommand> CreateApp(bool propagateExceptions = false)
    {
        var app = new CommandApp<StressCommand>();
        app.Configure(config =>
        {
            config.SetApplicationName("stress-test");
            config.UseStrictParsing();
            config.AddCommand<OpenLoopCommand>("open-loop")
                .WithDescription("Latency at a fixed arrival rate (benchmark-scale's open-loop rows).");
            config.AddCommand<StreamsCommand>("streams")
                .WithDescription("Hold event streams open (benchmark-scale with STREAMS=1000).");
            if (propagateExceptions)
            {
                config.PropagateExceptions();
            }
        });
        return app;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, StressSettings settings, CancellationToken cancellationToken)
    {
        StressOptions options;
        try
        {
            options = settings.ToOptions(Environment.GetEnvironmentVariable);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UriFormatException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        using var health = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            (await health.GetAsync("/health", cancellationToken)).EnsureSuccessStatusCode();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"No healthy instance at {options.Url}: start one with `make run` first ({ex.Message}).");
            return 1;
        }

        var startedAt = DateTimeOffset.UtcNow;
        var recorder = new RunRecorder(TimeProvider.System);
        var run = new StressRun(options, recorder).RunAsync(cancellationToken);
        await LiveView.ShowWhileAsync(run, options, recorder);
        await run;

        Console.WriteLine(LiveView.Line(options, recorder));
        Console.WriteLine($"Report: {HtmlReport.Write(options, recorder, startedAt)}");
        return 0;
    }
}
