using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary>
/// The command line (Spectre.Console.Cli: <c>--help</c>, unknown flags refused). Every flag falls back to an
/// environment variable of the same name in capitals (<c>--spawn-rate</c>: <c>SPAWN_RATE</c>), which is how
/// <c>make stress-test USERS=200</c> passes it, then to <see cref="StressOptions"/>' default.
/// </summary>
public sealed class StressSettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("The instance to load (default http://127.0.0.1:5080; loopback only unless --allow-remote).")]
    public string? Url { get; init; }

    [CommandOption("--users <N>")]
    [Description("Simulated users at full strength (default 100).")]
    public int? Users { get; init; }

    [CommandOption("--spawn-rate <N>")]
    [Description("Users started per second (default 10).")]
    public double? SpawnRate { get; init; }

    [CommandOption("--duration <TIME>")]
    [Description("Length of the run: 90, 90s, 2m, 1h or 00:02:00 (default 1m, at most 1h).")]
    public string? Duration { get; init; }

    [CommandOption("--think-time <TIME>")]
    [Description("Pause between a user's requests, ±50 % (default 500ms).")]
    public string? ThinkTime { get; init; }

    [CommandOption("--cold-share <SHARE>")]
    [Description("Share of reads of channels nobody has (default 0.01).")]
    public double? ColdShare { get; init; }

    [CommandOption("--batch-share <SHARE>")]
    [Description("Share of batch reads (default 0.05).")]
    public double? BatchShare { get; init; }

    [CommandOption("--revalidate-share <SHARE>")]
    [Description("Share of reads revalidated with If-None-Match (default 0.2).")]
    public double? RevalidateShare { get; init; }

    [CommandOption("--write-share <SHARE>")]
    [Description("Share of writes; needs --write-token (default 0.01).")]
    public double? WriteShare { get; init; }

    [CommandOption("--write-token <TOKEN>")]
    [Description("A token with videos:write.")]
    public string? WriteToken { get; init; }

    [CommandOption("--read-token <TOKEN>")]
    [Description("A token with videos:read, where reads are not anonymous.")]
    public string? ReadToken { get; init; }

    [CommandOption("--channels <FILE>")]
    [Description("Channel ids to read, most popular first (default benchmarks/channels.txt).")]
    public string? Channels { get; init; }

    [CommandOption("--report-dir <DIR>")]
    [Description("Where the HTML report goes (default .data/stress).")]
    public string? ReportDirectory { get; init; }

    [CommandOption("--allow-remote")]
    [Description("Allow a target that is not this machine.")]
    public bool? AllowRemote { get; init; }

    /// <summary>The run's options: each flag, else its environment variable, else the default; validated.</summary>
    public StressOptions ToOptions(Func<string, string?> environment)
    {
        string? Env(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name);
        double? Number(string name) => Env(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : null;
        var defaults = new StressOptions();
        var options = defaults with
        {
            Url = (Url ?? Env("URL")) is { } url ? new Uri(url) : defaults.Url,
            Users = Users ?? (Env("USERS") is { } users ? int.Parse(users, CultureInfo.InvariantCulture) : defaults.Users),
            SpawnRate = SpawnRate ?? Number("SPAWN_RATE") ?? defaults.SpawnRate,
            Duration = (Duration ?? Env("DURATION")) is { } duration ? StressOptions.ParseDuration(duration) : defaults.Duration,
            ThinkTime = (ThinkTime ?? Env("THINK_TIME")) is { } think ? StressOptions.ParseDuration(think) : defaults.ThinkTime,
            ColdShare = ColdShare ?? Number("COLD_SHARE") ?? defaults.ColdShare,
            BatchShare = BatchShare ?? Number("BATCH_SHARE") ?? defaults.BatchShare,
            RevalidateShare = RevalidateShare ?? Number("REVALIDATE_SHARE") ?? defaults.RevalidateShare,
            WriteShare = WriteShare ?? Number("WRITE_SHARE") ?? defaults.WriteShare,
            WriteToken = WriteToken ?? Env("WRITE_TOKEN"),
            ReadToken = ReadToken ?? Env("READ_TOKEN"),
            ReportDirectory = ReportDirectory ?? Env("REPORT_DIR") ?? defaults.ReportDirectory,
            AllowRemote = AllowRemote ?? Env("ALLOW_REMOTE") is "true" or "1",
            Channels = File.ReadAllLines(Channels ?? Env("CHANNELS_FILE") ?? Path.Combine("benchmarks", "channels.txt"))
                .Where(line => line.Length > 0).ToList(),
        };
        options.Validate();
        return options;
    }
}
