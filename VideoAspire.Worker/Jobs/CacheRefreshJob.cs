using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;
using VideoAspire.Telemetry;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Re-warms the latest-five Redis entry of every recently accessed channel from PostgreSQL, so popular
/// channels never fall back to the database, and evicts the output cache of channels whose videos changed.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CacheRefreshJob(
    VideosDbContext db,
    ChannelCache cache,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<CacheRefreshJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("refresh cache of recently accessed channels");
        var since = timeProvider.GetUtcNow() - options.Value.RecentlyAccessedWindow;

        // Taken before the query: a channel written after this moment may be read as it was before the write.
        var readStarted = timeProvider.GetTimestamp();
        var channels = await db.GetRecentlyAccessedLatestVideosAsync(since, options.Value.CacheRefreshBatchSize, cancellationToken);
        VideoAspireTelemetry.DatabaseQueries.Add(1);

        var changed = 0;
        foreach (var (channelId, videos) in channels)
        {
            if (await cache.RewarmAsync(channelId, videos, readStarted, cancellationToken))
            {
                changed++;
            }
        }

        activity?.SetTag("videoaspire.channel_count", channels.Count);
        activity?.SetTag("videoaspire.changed_count", changed);
        LogRefreshed(channels.Count, changed);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Re-warmed the cache of {ChannelCount} recently accessed channels; {ChangedCount} had changed")]
    private partial void LogRefreshed(int channelCount, int changedCount);
}
