using System.ComponentModel;
using Spectre.Console.Cli;

namespace VideoAspire.StressTest;

/// <summary><c>stress-test streams --url … --count 1000 --channel UC… --duration 10m [--tokens file]</c>.</summary>
public sealed class StreamsSettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("The instance whose /videos/stream is held open (loopback only).")]
    public string Url { get; init; } = "http://127.0.0.1:5080";

    [CommandOption("--count <N>")]
    [Description("Streams held open at once.")]
    public int Count { get; init; } = 1000;

    [CommandOption("--channel <ID>")]
    [Description("The channel every stream follows.")]
    public string Channel { get; init; } = "UC0032Wkd3aCT4rRi1YOVc2d";

    [CommandOption("--duration <TIME>")]
    [Description("How long to hold them: 20s, 10m, … (at most 1h); streams the server ends are opened again.")]
    public string Duration { get; init; } = "10m";

    [CommandOption("--tokens <FILE>")]
    [Description("Bearer tokens, one per line, taken in turn (the server caps streams per caller).")]
    public string? Tokens { get; init; }
}
