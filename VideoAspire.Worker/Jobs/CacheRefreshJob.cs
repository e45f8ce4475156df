using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Catalog;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Telemetry;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Re-warms the latest-five Redis entry of every recently accessed channel from PostgreSQL, so popular
/// channels never fall back to the database, and evicts the output cache of channels whose videos changed.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CacheRefreshJob(
    VideosDbContext db,
    LatestVideosCache cache,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<CacheRefreshJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("refresh cache of recently accessed channels");
        var since = timeProvider.GetUtcNow() - options.Value.RecentlyAccessedWindow;

        // One query: the recent channels with their newest five each (a lateral seek per channel).
        var channels = await db.Channels
            .AsNoTracking()
            .Where(c => c.LastAccessedAt >= since && c.DeletedAt == null)
            .OrderByDescending(c => c.LastAccessedAt)
            .Take(options.Value.CacheRefreshBatchSize)
            .Select(c => new
            {
                c.Id,
                Videos = c.Videos
                    .OrderByDescending(v => v.PublishedAt)
                    .ThenByDescending(v => v.VideoId)
                    .Take(LatestVideo.Count)
                    .Select(v => new { v.VideoId, v.Title, v.PublishedAt })
                    .ToList(),
            })
            .ToListAsync(cancellationToken);
        CatalogTelemetry.DatabaseQueries.Add(1);

        var changed = 0;
        foreach (var channel in channels)
        {
            var videos = channel.Videos.Select(v => LatestVideo.Create(v.VideoId, v.Title, v.PublishedAt)).ToList();
            if (await cache.RefreshAsync(channel.Id, videos, cancellationToken))
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
