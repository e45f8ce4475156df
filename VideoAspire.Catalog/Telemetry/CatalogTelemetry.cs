using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VideoAspire.Catalog.Telemetry;

/// <summary>Trace source and metrics for the read path; names start with "VideoAspire" so ServiceDefaults exports them.</summary>
public static class CatalogTelemetry
{
    public const string Name = "VideoAspire.Catalog";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> CacheHits =
        Meter.CreateCounter<long>("videoaspire.cache.hits", description: "Latest-five lookups answered by Redis");

    public static readonly Counter<long> CacheMisses =
        Meter.CreateCounter<long>("videoaspire.cache.misses", description: "Latest-five lookups Redis could not answer");

    public static readonly Counter<long> CacheErrors =
        Meter.CreateCounter<long>("videoaspire.cache.errors", description: "Redis operations that failed and were degraded around");

    public static readonly Counter<long> DatabaseQueries =
        Meter.CreateCounter<long>("videoaspire.db.queries", description: "Latest-five queries sent to PostgreSQL");
}
