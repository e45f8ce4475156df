using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Worker;

public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>How often the latest-five cache of recently accessed channels is re-warmed from PostgreSQL.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A channel counts as recently accessed if it was read within this window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RecentlyAccessedWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Upper bound of channels re-warmed per run, most recently accessed first.</summary>
    [Range(1, 100_000)]
    public int CacheRefreshBatchSize { get; set; } = 1_000;
}
