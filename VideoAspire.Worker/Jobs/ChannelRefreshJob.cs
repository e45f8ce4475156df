using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using StackExchange.Redis;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Persistence;
using VideoAspire.Catalog.Telemetry;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Re-fetches from YouTube the channels people read recently, stalest first, within a quota budget, and writes
/// what changed. One replica runs it per interval (a Redis lock); Quartz keeps a replica from overlapping itself.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class ChannelRefreshJob(
    VideosDbContext db,
    YouTubeVideoSource youTube,
    LatestVideosCache cache,
    IConnectionMultiplexer redis,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<ChannelRefreshJob> logger) : IJob
{
    /// <summary>channels.list + playlistItems.list.</summary>
    public const int QuotaUnitsPerFetch = 2;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var budget = ChannelsPerRun(settings);
        if (budget == 0 || !await TryClaimRunAsync(settings.ChannelRefreshInterval))
        {
            return;
        }

        using var activity = CatalogTelemetry.ActivitySource.StartActivity("refresh channels from YouTube");
        var since = timeProvider.GetUtcNow() - settings.ChannelRefreshAccessWindow;
        var channelIds = await db.Channels
            .AsNoTracking()
            .Where(c => c.LastAccessedAt >= since)
            .OrderBy(c => c.LastRefreshedAt.HasValue) // never refreshed first
            .ThenBy(c => c.LastRefreshedAt)
            .Select(c => c.Id)
            .Take(budget)
            .ToListAsync(cancellationToken);

        var refreshed = 0;
        foreach (var channelId in channelIds)
        {
            var result = await youTube.FetchAsync(channelId, cancellationToken);
            if (result is FetchResult.Unavailable)
            {
                break; // YouTube is struggling: stop spending quota on this run
            }

            if (result is FetchResult.Found(var snapshot))
            {
                if (await db.UpsertAsync(snapshot, cancellationToken) > 0)
                {
                    var latest = await db.GetLatestVideosAsync(channelId, cancellationToken) ?? [];
                    await cache.RefreshAsync(channelId, latest, cancellationToken);
                }

                refreshed++;
            }
        }

        activity?.SetTag("videoaspire.channel_count", refreshed);
        LogRefreshed(refreshed, channelIds.Count, budget);
    }

    /// <summary>The hourly budget spread over the runs of an hour.</summary>
    internal static int ChannelsPerRun(WorkerOptions settings) =>
        (int)(settings.QuotaBudgetPerHour * (settings.ChannelRefreshInterval / TimeSpan.FromHours(1)) / QuotaUnitsPerFetch);

    private async Task<bool> TryClaimRunAsync(TimeSpan interval)
    {
        try
        {
            // Expires a little before the next run is due, so exactly one replica runs each interval.
            return await redis.GetDatabase().StringSetAsync(
                CacheKeys.JobLock(nameof(ChannelRefreshJob)), options.Value.ConsumerName, interval * 0.9, When.NotExists);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSkipped(ex);
            return false; // cannot coordinate with other replicas: skip rather than spend their quota twice
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed {RefreshedCount} of {SelectedCount} channels from YouTube (budget {Budget} per run)")]
    private partial void LogRefreshed(int refreshedCount, int selectedCount, int budget);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled channel refresh skipped: Redis unavailable for coordination")]
    private partial void LogSkipped(Exception exception);
}
