using System.Globalization;
using System.Net;

namespace VideoAspire.StressTest;

/// <summary>One run's knobs: <c>--users 200 --spawn-rate 20 --duration 2m</c> and the mix of requests.</summary>
public sealed record StressOptions
{
    public Uri Url { get; init; } = new("http://127.0.0.1:5080");

    /// <summary>Simulated users at full strength, each a closed loop: request, answer, think, again.</summary>
    public int Users { get; init; } = 100;

    /// <summary>Users started per second until <see cref="Users"/> run.</summary>
    public double SpawnRate { get; init; } = 10;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Pause between a user's requests (uniform between half and one and a half of it).</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Share of reads that ask for a channel nobody has (a cold fetch: 202, 404 or 503 without YouTube).</summary>
    public double ColdShare { get; init; } = 0.01;

    /// <summary>Share of reads that ask for several channels at once.</summary>
    public double BatchShare { get; init; } = 0.05;

    /// <summary>Share of reads that revalidate the user's previous answer with If-None-Match (304 when unchanged).</summary>
    public double RevalidateShare { get; init; } = 0.2;

    /// <summary>Share of requests that write (PUT a video of a test channel); needs <see cref="WriteToken"/>.</summary>
    public double WriteShare { get; init; } = 0.01;

    /// <summary>A token with scope videos:write (<c>dotnet user-jwts create --project VideoAspire.Api --scope videos:write --output token</c>).</summary>
    public string? WriteToken { get; init; }

    /// <summary>A token for reads, where they are not anonymous.</summary>
    public string? ReadToken { get; init; }

    /// <summary>Channel ids to read, most popular first (Zipf, s = 1, over them).</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    public string ReportDirectory { get; init; } = Path.Combine(".data", "stress");

    /// <summary>Allows a target that is not this machine (loopback only by default).</summary>
    public bool AllowRemote { get; init; }

    /// <summary>Whether to draw the live view (a terminal) or print a line every few seconds (a log).</summary>
    public bool Interactive { get; init; } = !Console.IsOutputRedirected;

    public int Seed { get; init; } = 42;

    public static readonly TimeSpan LongestRun = TimeSpan.FromHours(1);

    public void Validate()
    {
        if (Users < 1 || SpawnRate <= 0 || Duration <= TimeSpan.Zero || Duration > LongestRun || ThinkTime < TimeSpan.Zero)
        {
            throw new ArgumentException($"Users >= 1, spawn rate > 0, a duration up to {LongestRun.TotalMinutes:F0} minutes and a think time >= 0, please.");
        }

        if (new[] { ColdShare, BatchShare, RevalidateShare, WriteShare }.Any(share => share is < 0 or > 1) || Channels.Count == 0)
        {
            throw new ArgumentException("Shares are between 0 and 1, and the channel list is not empty.");
        }

        if (!AllowRemote && !IsLoopback(Url))
        {
            throw new ArgumentException($"Refusing to load-test {Url}: loopback addresses only (--allow-remote to override).");
        }
    }

    /// <summary><c>90</c>, <c>90s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>, or a TimeSpan (<c>00:02:00</c>).</summary>
    public static TimeSpan ParseDuration(string value) => value switch
    {
        _ when value.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(double.Parse(value[..^2], CultureInfo.InvariantCulture)),
        _ when value.EndsWith('s') => TimeSpan.FromSeconds(double.Parse(value[..^1], CultureInfo.InvariantCulture)),
        _ when value.EndsWith('m') => TimeSpan.FromMinutes(double.Parse(value[..^1], CultureInfo.InvariantCulture)),
        _ when value.EndsWith('h') => TimeSpan.FromHours(double.Parse(value[..^1], CultureInfo.InvariantCulture)),
        _ when value.Contains(':') => TimeSpan.Parse(value, CultureInfo.InvariantCulture),
        _ => TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)),
    };

    internal static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
