using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Domain.Ports;
using VideoAspire.Telemetry;
using VideoAspire.YouTube;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Re-fetches from YouTube the channels people read recently, stalest first, within a quota budget, and writes
/// what changed. Quartz's clustered store runs it on one replica per interval, never two at a time.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class ChannelRefreshJob(
    VideosDbContext db,
    YouTubeVideoSource youTube,
    ChannelWriter writer,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    IOptions<WorkerOptions> options,
    IOptions<WebSubOptions> webSub,
    ILogger<ChannelRefreshJob> logger) : IJob
{
    /// <summary>channels.list + playlistItems.list.</summary>
    public const int QuotaUnitsPerFetch = 2;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var budget = ChannelsPerRun(settings);
        if (budget == 0)
        {
            return;
        }

        if (context.Recovering)
        {
            LogRecovering(context.ScheduledFireTimeUtc); // the replica running it died: the channels it had left are still due
        }

        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("refresh channels from YouTube");
        var now = timeProvider.GetUtcNow();
        var since = now - settings.ChannelRefreshAccessWindow;
        // Never-refreshed channels first, then the stalest. Channels that keep failing (or that YouTube no longer has)
        // back off: 2^failures intervals, at most 2^6. Channels YouTube pushes to us (a live WebSub lease) are only
        // re-checked every SafetyPollInterval, in case a notification was lost.
        var safetyPoll = webSub.Value.Enabled ? webSub.Value.SafetyPollInterval : TimeSpan.Zero;
        var channelIds = await db.Database.SqlQuery<string>($"""
            SELECT id AS "Value" FROM channels
            WHERE last_accessed_at >= {since} AND deleted_at IS NULL
              AND (refresh_failures = 0 OR last_refreshed_at IS NULL
                   OR last_refreshed_at < {now} - {settings.ChannelRefreshInterval} * power(2, least(refresh_failures, {MaxBackoffDoublings})))
              AND (last_refreshed_at IS NULL OR last_refreshed_at < {now - safetyPoll}
                   OR NOT EXISTS (SELECT 1 FROM websub_subscriptions s
                                  WHERE s.channel_id = channels.id AND s.mode = 'subscribe' AND s.lease_expires_at > {now}))
            ORDER BY last_refreshed_at IS NOT NULL, last_refreshed_at
            LIMIT {budget}
            """).ToListAsync(cancellationToken);

        var refreshed = 0;
        var failedInARow = 0;
        foreach (var channelId in channelIds)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                break; // shutting down: the channels left are the stalest of the next run (a run can take minutes)
            }

            var result = await youTube.FetchAsync(channelId, QuotaPayer.Service, cancellationToken);
            if (result is FetchResult.Found(var snapshot))
            {
                await writer.WriteAsync(snapshot, WriteOrigin.YouTube, cancellationToken); // also resets its failure count
                refreshed++;
                failedInARow = 0;
                continue;
            }

            // Not found (terminated on YouTube, still read) or failing: stamp it and back off, or it takes every run.
            await MarkFailedAsync(channelId, now, cancellationToken);

            // One channel failing is that channel's problem; several in a row is YouTube's: stop spending quota.
            failedInARow = result is FetchResult.NotFound ? 0 : failedInARow + 1;
            if (failedInARow >= UpstreamFailureRun)
            {
                LogUpstreamFailing(failedInARow);
                break;
            }
        }

        activity?.SetTag("videoaspire.channel_count", refreshed);
        LogRefreshed(refreshed, channelIds.Count, budget);
    }

    /// <summary>Consecutive failures after which the run stops: YouTube itself is struggling.</summary>
    internal const int UpstreamFailureRun = 3;

    /// <summary>2^6 intervals: about 11 hours at the default 10-minute interval.</summary>
    private const int MaxBackoffDoublings = 6;

    private Task MarkFailedAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Channels.Where(c => c.Id == channelId).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.LastRefreshedAt, now)
            .SetProperty(c => c.RefreshFailures, c => c.RefreshFailures + 1), cancellationToken);

    /// <summary>The hourly budget spread over the runs of an hour.</summary>
    internal static int ChannelsPerRun(WorkerOptions settings) =>
        (int)(settings.QuotaBudgetPerHour * (settings.ChannelRefreshInterval / TimeSpan.FromHours(1)) / QuotaUnitsPerFetch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed {RefreshedCount} of {SelectedCount} channels from YouTube (budget {Budget} per run)")]
    private partial void LogRefreshed(int refreshedCount, int selectedCount, int budget);

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube failed for {Count} channels in a row; stopping this refresh run")]
    private partial void LogUpstreamFailing(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovering the channel refresh scheduled at {ScheduledAt} from a replica that stopped mid-run")]
    private partial void LogRecovering(DateTimeOffset? scheduledAt);
}
