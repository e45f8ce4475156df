using System.ComponentModel;
using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary><c>stress-test open-loop --url … --rate 5000 --duration 20s --channels 1000000 [--tokens file]</c>.</summary>
public sealed class OpenLoopSettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("The instance to load (loopback only).")]
    public string Url { get; init; } = "http://127.0.0.1:5080";

    [CommandOption("--rate <N>")]
    [Description("Requests started per second, whatever the answers do (the arrival rate).")]
    public double Rate { get; init; } = 1000;

    [CommandOption("--duration <TIME>")]
    [Description("Length of the run: 20s, 1m, … (at most 1h).")]
    public string Duration { get; init; } = "20s";

    [CommandOption("--channels <N>")]
    [Description("Channels UC0…1 to UC0…N, read with Zipf (s = 1) popularity as benchmarks/zipf-channels.lua reads them.")]
    public int Channels { get; init; } = 1_000_000;

    [CommandOption("--tokens <FILE>")]
    [Description("Bearer tokens, one per line, taken in turn (one per caller).")]
    public string? Tokens { get; init; }

    [CommandOption("--seed <N>")]
    public int Seed { get; init; } = 42;
}
