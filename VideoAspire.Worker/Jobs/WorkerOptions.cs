using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Worker.Jobs;

public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>The Quartz scheduler the replicas share through PostgreSQL (its rows carry this name).</summary>
    public const string ClusteredSchedulerName = "VideoAspire";

    /// <summary>
    /// How often a replica tells the cluster it is alive. One that misses a check-in by this much again is dead: its
    /// running jobs are re-run by another replica.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>How often the latest-five cache of recently accessed channels is re-warmed from PostgreSQL.</summary>
    /// <summary>How long an outbox event (<c>video_events</c>) is kept: streams resume and deliveries retry within it.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often events older than <see cref="EventRetention"/> are deleted (a bounded batch per run).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan EventPruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often channels with webhook subscriptions are marked as read (so they are refreshed like read ones).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SubscribedChannelsInterval { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A channel counts as recently accessed (for cache re-warming) if it was read within this window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RecentlyAccessedWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Upper bound of channels re-warmed per run, most recently accessed first.</summary>
    [Range(1, 100_000)]
    public int CacheRefreshBatchSize { get; set; } = 1_000;

    /// <summary>How often the hand-off stream is drained into PostgreSQL.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HandoffPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Hand-off entries read, and written to PostgreSQL in one statement, per batch.</summary>
    [Range(1, 10_000)]
    public int HandoffBatchSize { get; set; } = 100;

    /// <summary>
    /// A batch is written with one statement; when PostgreSQL refuses one for what an entry holds, its entries are written
    /// one by one, this many at the same time (each holds a PostgreSQL connection while it does).
    /// </summary>
    [Range(1, 64)]
    public int HandoffParallelism { get; set; } = 4;

    /// <summary>Attempts at an entry that keeps failing transiently before it goes to the dead-letter stream.</summary>
    [Range(1, 1_000)]
    public int HandoffMaxDeliveries { get; set; } = 20;

    /// <summary>An entry another replica read but has not acknowledged for this long is taken over (that replica died).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HandoffClaimIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This replica's consumer name in the hand-off group; stable across restarts so it resumes its own pending entries.
    /// Default: the replica's OpenTelemetry instance id (one per replica under Aspire, e.g. <c>worker-x7k2</c>), else the
    /// host name (one per pod on Kubernetes).
    /// </summary>
    [Required]
    public string ConsumerName { get; set; } =
        Environment.GetEnvironmentVariable("OTEL_SERVICE_INSTANCE_ID") is { Length: > 0 } instance ? instance : Environment.MachineName;

    /// <summary>How often channels are re-fetched from YouTube.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ChannelRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Only channels read within this window are re-fetched.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ChannelRefreshAccessWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Data API quota units the scheduled refresh may spend per hour (a refresh costs 2 units).</summary>
    [Range(0, 1_000_000)]
    public int QuotaBudgetPerHour { get; set; } = 300;
}
