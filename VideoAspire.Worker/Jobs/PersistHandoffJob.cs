using System.Diagnostics;
using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Redis.Connection;
using VideoAspire.Redis.Handoff;
using VideoAspire.Telemetry;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Drains the hand-off stream into PostgreSQL. Order of work each run: entries this replica read before it stopped,
/// entries abandoned by a dead replica, then new entries. An entry is acknowledged only after its rows are committed,
/// so a crash at any point means it is processed again, harmlessly (the write is idempotent).
/// An entry that can never be persisted (unreadable, refused by PostgreSQL, a bug) goes to the dead-letter stream at
/// once; one that fails transiently (PostgreSQL down) stops the run and is retried with backoff, at most
/// <see cref="WorkerOptions.HandoffMaxDeliveries"/> times. Either way the entries behind it are never blocked for good.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class PersistHandoffJob(
    SnapshotHandoff handoff,
    IServiceScopeFactory scopeFactory,
    HandoffBackoff backoff,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<PersistHandoffJob> logger) : IJob
{
    private const int MaxBatchesPerRun = 20;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!backoff.IsDue)
        {
            return;
        }

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
                    // Nothing to do: a moment to drop the consumers of replicas that went away.
                    await handoff.RemoveGoneConsumersAsync(settings.ConsumerName, settings.HandoffClaimIdle);
                    return;
                }

                if (!await PersistBatchAsync(messages, settings, cancellationToken))
                {
                    return;
                }

                backoff.Succeeded();
            }
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure))
        {
            backoff.Failed();
            LogHandoffUnavailable(ex); // nothing is lost: entries wait in Redis (or the Api persisted in-process)
        }
    }

    /// <summary>
    /// The whole batch in one statement and one commit (a round trip per entry bounds the rate). If PostgreSQL refuses the batch for what one entry holds, or an entry has used up its
    /// deliveries, the entries are persisted one by one instead, so that only the bad one is dead-lettered.
    /// </summary>
    /// <returns>False when the batch failed transiently and the run should stop.</returns>
    private async Task<bool> PersistBatchAsync(IReadOnlyList<HandoffMessage> messages, WorkerOptions settings, CancellationToken cancellationToken)
    {
        // One span for the batch, linked to the trace each entry's Api request started (the messaging convention).
        var links = messages
            .Select(m => ActivityContext.TryParse(m.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default)
            .ToList();
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("persist hand-off batch", ActivityKind.Consumer, default(ActivityContext), links: links);
        activity?.SetTag("messaging.batch.message_count", messages.Count);
        foreach (var unreadable in messages.Where(m => m.Snapshot is null))
        {
            LogDeadLettered(null, unreadable.Id, "-", unreadable.Problem);
            await handoff.DeadLetterAsync(unreadable, $"unreadable: {unreadable.Problem}");
        }

        var entries = messages.Where(m => m.Snapshot is not null).ToList();
        if (entries.Count == 0)
        {
            return true;
        }

        var deliveries = await Task.WhenAll(entries.Select(m => handoff.CountDeliveryAsync(m.Id)));
        // Pushed items (WebSub) carry deletions and are not refreshes, and kind playlists carry kinds: the single write
        // handles those.
        if (deliveries.Any(count => count >= settings.HandoffMaxDeliveries) || !entries.All(m => ChannelWriter.CanBatch(m.Snapshot!)))
        {
            return await PersistOneByOneAsync(entries, deliveries, settings, cancellationToken);
        }

        IReadOnlyList<ChannelWrite> outcomes;
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            outcomes = await scope.ServiceProvider.GetRequiredService<ChannelWriter>()
                .WriteFetchedAsync(entries.Select(m => m.Snapshot!).ToList(), cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure))
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            backoff.Failed();
            LogBatchTransientFailure(ex, entries.Count);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBatchRefused(ex, entries.Count);
            return await PersistOneByOneAsync(entries, deliveries, settings, cancellationToken);
        }

        await Task.WhenAll(entries.Select(m => handoff.CompleteAsync(m.Id)));
        var now = timeProvider.GetUtcNow();
        for (var i = 0; i < entries.Count; i++)
        {
            var lag = now - entries[i].PublishedAt;
            VideoAspireTelemetry.HandoffLag.Record(lag.TotalSeconds);
            LogPersisted(entries[i].Snapshot!.ChannelId, entries[i].Snapshot!.Videos.Count, outcomes[i], lag.TotalMilliseconds);
        }

        return true;
    }

    /// <summary>A few entries at a time, each in a scope (a DbContext) of its own.</summary>
    private async Task<bool> PersistOneByOneAsync(
        IReadOnlyList<HandoffMessage> entries, long[] deliveries, WorkerOptions settings, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var transientFailure = false;
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count),
                new ParallelOptions { MaxDegreeOfParallelism = settings.HandoffParallelism, CancellationToken = stop.Token },
                async (i, token) =>
                {
                    if (!await PersistAsync(entries[i], deliveries[i], settings.HandoffMaxDeliveries, token))
                    {
                        transientFailure = true;
                        await stop.CancelAsync(); // the rest wait for the next run, after the backoff
                    }
                });
        }
        catch (OperationCanceledException) when (transientFailure && !cancellationToken.IsCancellationRequested)
        {
        }

        return !transientFailure;
    }

    /// <returns>False when the entry failed transiently and the run should stop.</returns>
    private async Task<bool> PersistAsync(HandoffMessage message, long deliveries, int maxDeliveries, CancellationToken cancellationToken)
    {
        // Continue the trace the Api started when it handed the snapshot off.
        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("persist handed-off snapshot", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.message.id", message.Id);

        var snapshot = message.Snapshot!;
        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        ChannelWrite outcome;
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            outcome = await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteAsync(snapshot, WriteOrigin.YouTube, cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure) && deliveries < maxDeliveries)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            backoff.Failed();
            LogTransientFailure(ex, message.Id, snapshot.ChannelId, deliveries, maxDeliveries);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Refused data, a bug, or transient failures past the limit: never again in the way of the entries behind it.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var reason = DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure) ? $"still failing after {deliveries} deliveries" : "cannot be persisted";
            LogDeadLettered(ex, message.Id, snapshot.ChannelId, reason);
            await handoff.DeadLetterAsync(message, $"{reason}: {ex.GetType().Name}: {ex.Message}");
            return true;
        }

        await handoff.CompleteAsync(message.Id);
        var now = timeProvider.GetUtcNow();
        var lag = now - message.PublishedAt;
        VideoAspireTelemetry.HandoffLag.Record(lag.TotalSeconds);
        RecordFreshness(snapshot, outcome, now);
        LogPersisted(snapshot.ChannelId, snapshot.Videos.Count, outcome, lag.TotalMilliseconds);
        return true;
    }

    /// <summary>
    /// How long a new upload took to become readable, for pushed ones: a first notification of an upload has its
    /// <c>updated</c> close to its <c>published</c> (later ones are edits, which say nothing about freshness).
    /// </summary>
    private static void RecordFreshness(ChannelSnapshot snapshot, ChannelWrite outcome, DateTimeOffset now)
    {
        if (snapshot.IsPushed && outcome is ChannelWrite.Applied { ChangedRows: > 0 })
        {
            foreach (var video in snapshot.Videos.Where(v => snapshot.FetchedAt - v.PublishedAt < NewUploadNotice))
            {
                VideoAspireTelemetry.WebSubFreshness.Record(Math.Max(0, (now - video.PublishedAt).TotalSeconds));
            }
        }
    }

    private static readonly TimeSpan NewUploadNotice = TimeSpan.FromMinutes(15);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Persisted {VideoCount} videos of {ChannelId} from the hand-off ({Outcome}, lag {LagMilliseconds:F0} ms)")]
    private partial void LogPersisted(string channelId, int videoCount, ChannelWrite outcome, double lagMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hand-off entry {MessageId} for {ChannelId} moved to the dead-letter stream: {Reason}")]
    private partial void LogDeadLettered(Exception? exception, string messageId, string channelId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Hand-off entry {MessageId} for {ChannelId} failed transiently (delivery {Delivery} of {MaxDeliveries}); retrying after a backoff")]
    private partial void LogTransientFailure(Exception exception, string messageId, string channelId, long delivery, int maxDeliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off batch of {EntryCount} entries failed transiently; retrying after a backoff")]
    private partial void LogBatchTransientFailure(Exception exception, int entryCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a hand-off batch of {EntryCount} entries; persisting them one by one")]
    private partial void LogBatchRefused(Exception exception, int entryCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off stream unavailable; will retry")]
    private partial void LogHandoffUnavailable(Exception exception);
}
