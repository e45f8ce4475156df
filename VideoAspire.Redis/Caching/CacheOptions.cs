using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// The cache settings the Api (which reads and fills entries) and the Worker (which re-warms them) must agree on: the
/// defaults here are the only ones; a deployment overrides them for both (the AppHost forwards its "Cache" section to
/// both services, the Kubernetes ConfigMap is shared).
/// </summary>
public sealed class CacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>How long a channel's latest five live in Redis (and in the output cache).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long past <see cref="Ttl"/> a channel's entry stays in Redis as a stale answer (stale-if-error, RFC 5861): served,
    /// marked stale, only while PostgreSQL does not answer within <see cref="StaleSoftTimeout"/>. Entries live
    /// <see cref="Ttl"/> + this in Redis, so more channels are resident at once (the bytes of each are unchanged).
    /// Zero turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a read holding a stale entry waits for PostgreSQL before answering with the stale entry (instead of the
    /// full database budget and then YouTube). While PostgreSQL is known to be down, such reads do not ask it at all,
    /// except one a second to see whether it is back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
    public TimeSpan StaleSoftTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Longest life of an answer in an Api instance's own memory (the output cache's first level). Evictions reach
    /// every instance at once through Redis; this bounds staleness only if such a message is lost.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LocalTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a write, the channel is read from the PostgreSQL primary (not a read replica) for this long, and a read from
    /// a replica may not fill its cache entry: a replica lagging less than this never puts back what the write replaced.
    /// The Worker's re-warm also tells by the mark whether a write came after its batch read (a run longer than this
    /// leaves the rest of its batch to the next run).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReadYourWritesWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Memory an Api instance may use for its first-level output cache, in megabytes (0 turns it off).</summary>
    [Range(0, 4096)]
    public int LocalSizeLimitMegabytes { get; set; } = 32;
}
