using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;
using StackExchange.Redis;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Handoff;
using VideoAspire.Catalog.Persistence;
using VideoAspire.Catalog.Telemetry;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Drains the hand-off stream into PostgreSQL. Order of work each run: entries this replica read before it stopped,
/// entries abandoned by a dead replica, then new entries. An entry is acknowledged only after its rows are committed,
/// so a crash at any point means it is processed again, harmlessly (the upsert is idempotent).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class PersistHandoffJob(
    SnapshotHandoff handoff,
    VideosDbContext db,
    LatestVideosCache cache,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<PersistHandoffJob> logger) : IJob
{
    private const int MaxBatchesPerRun = 20;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            await handoff.EnsureConsumerGroupAsync();
            for (var batch = 0; batch < MaxBatchesPerRun && !cancellationToken.IsCancellationRequested; batch++)
            {
                var messages = await handoff.ReadOwnPendingAsync(settings.ConsumerName, settings.HandoffBatchSize);
                if (messages.Count == 0)
                {
                    messages = await handoff.ClaimAbandonedAsync(settings.ConsumerName, settings.HandoffClaimIdle, settings.HandoffBatchSize);
                }

                if (messages.Count == 0)
                {
                    messages = await handoff.ReadNewAsync(settings.ConsumerName, settings.HandoffBatchSize);
                }

                if (messages.Count == 0)
                {
                    return;
                }

                foreach (var message in messages)
                {
                    await PersistAsync(message, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogHandoffUnavailable(ex); // nothing is lost: entries wait in Redis (or the Api persisted in-process)
        }
    }

    private async Task PersistAsync(HandoffMessage message, CancellationToken cancellationToken)
    {
        // Continue the trace the Api started when it handed the snapshot off.
        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("persist handed-off snapshot", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.message.id", message.Id);

        if (message.Snapshot is not { } snapshot)
        {
            LogPoisonMessage(message.Id);
            await handoff.CompleteAsync(message.Id);
            return;
        }

        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        int changed;
        try
        {
            changed = await db.UpsertAsync(snapshot, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            // Data PostgreSQL will never accept (classes 22/23): retrying cannot help, and must not block the stream.
            LogRejectedSnapshot(ex, message.Id, snapshot.ChannelId);
            await handoff.CompleteAsync(message.Id);
            return;
        }


        // The database is now the truth: the cache and every cached response must show it.
        var latest = await db.GetLatestVideosAsync(snapshot.ChannelId, cancellationToken) ?? [];
        await cache.SetAsync(snapshot.ChannelId, latest);
        await cache.EvictOutputCacheAsync(snapshot.ChannelId, cancellationToken);

        await handoff.CompleteAsync(message.Id);
        var lag = timeProvider.GetUtcNow() - message.PublishedAt;
        CatalogTelemetry.HandoffLag.Record(lag.TotalSeconds);
        LogPersisted(snapshot.ChannelId, snapshot.Videos.Count, changed, lag.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Persisted {VideoCount} videos of {ChannelId} from the hand-off ({ChangedRows} rows changed, lag {LagMilliseconds:F0} ms)")]
    private partial void LogPersisted(string channelId, int videoCount, int changedRows, double lagMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hand-off entry {MessageId} for {ChannelId} rejected by PostgreSQL; dropped")]
    private partial void LogRejectedSnapshot(Exception exception, string messageId, string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hand-off entry {MessageId} is unreadable; dropped")]
    private partial void LogPoisonMessage(string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off stream unavailable; will retry")]
    private partial void LogHandoffUnavailable(Exception exception);
}
