using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api.Streaming;

/// <summary>The live stream of uploads (<c>GET /videos/stream</c>), bound from <c>Streaming:*</c>.</summary>
public sealed class StreamingOptions
{
    public const string SectionName = "Streaming";

    /// <summary>How often this instance reads new events from the outbox (one query for all its streams).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a gap in the outbox's ids is waited for (a transaction that took its id and commits later)
    /// before it is taken for a rolled-back one and passed over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A comment line sent this often on an idle stream, so proxies and clients see it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Longest a stream stays open; the client then reconnects with <c>Last-Event-ID</c> (EventSource does by itself) and
    /// lands on any replica: after a scale-out the streams spread over the new ones.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Open streams one caller may hold on one instance.</summary>
    [Range(1, 10_000)]
    public int ConnectionsPerCaller { get; set; } = 10;

    /// <summary>Open streams one instance serves.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 2_000;

    /// <summary>How far back <c>Last-Event-ID</c> resumes: at most this many events, of at most this age.</summary>
    [Range(1, 100_000)]
    public int ResumeMaxEvents { get; set; } = 1_000;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ResumeWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events held for a slow client before its stream is ended (it resumes with <c>Last-Event-ID</c>).</summary>
    [Range(16, 100_000)]
    public int ClientBuffer { get; set; } = 1_000;
}
