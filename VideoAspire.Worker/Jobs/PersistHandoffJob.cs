using System.Diagnostics;
using Microsoft.Extensions.Options;
using Quartz;
using StackExchange.Redis;
using VideoAspire.Catalog;
using VideoAspire.Catalog.Handoff;
using VideoAspire.Catalog.Persistence;
using VideoAspire.Catalog.Telemetry;

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
                    return;
                }

                // A few entries at a time, each in a scope (a DbContext) of its own: one PostgreSQL round trip after
                // another was the bound (make benchmark-handoff). Entries of one channel still apply in order of their
                // source time whatever order they finish in (the writer locks the channel row and compares times).
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var transientFailure = false;
                try
                {
                    await Parallel.ForEachAsync(messages,
                        new ParallelOptions { MaxDegreeOfParallelism = settings.HandoffParallelism, CancellationToken = stop.Token },
                        async (message, token) =>
                        {
                            if (!await PersistAsync(message, settings.HandoffMaxDeliveries, token))
                            {
                                transientFailure = true;
                                await stop.CancelAsync(); // the rest wait for the next run, after the backoff
                            }
                        });
                }
                catch (OperationCanceledException) when (transientFailure && !cancellationToken.IsCancellationRequested)
                {
                }

                if (transientFailure)
                {
                    return;
                }

                backoff.Succeeded();
            }
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            backoff.Failed();
            LogHandoffUnavailable(ex); // nothing is lost: entries wait in Redis (or the Api persisted in-process)
        }
    }

    /// <returns>False when the entry failed transiently and the run should stop.</returns>
    private async Task<bool> PersistAsync(HandoffMessage message, int maxDeliveries, CancellationToken cancellationToken)
    {
        // Continue the trace the Api started when it handed the snapshot off.
        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("persist handed-off snapshot", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.message.id", message.Id);

        if (message.Snapshot is not { } snapshot)
        {
            LogDeadLettered(null, message.Id, "-", message.Problem);
            await handoff.DeadLetterAsync(message, $"unreadable: {message.Problem}");
            return true;
        }

        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        var deliveries = await handoff.CountDeliveryAsync(message.Id);
        ChannelWrite outcome;
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            outcome = await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteAsync(snapshot, WriteOrigin.YouTube, cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex) && deliveries < maxDeliveries)
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
            var reason = TransientFailures.IsTransient(ex) ? $"still failing after {deliveries} deliveries" : "cannot be persisted";
            LogDeadLettered(ex, message.Id, snapshot.ChannelId, reason);
            await handoff.DeadLetterAsync(message, $"{reason}: {ex.GetType().Name}: {ex.Message}");
            return true;
        }

        await handoff.CompleteAsync(message.Id);
        var lag = timeProvider.GetUtcNow() - message.PublishedAt;
        CatalogTelemetry.HandoffLag.Record(lag.TotalSeconds);
        LogPersisted(snapshot.ChannelId, snapshot.Videos.Count, outcome, lag.TotalMilliseconds);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Persisted {VideoCount} videos of {ChannelId} from the hand-off ({Outcome}, lag {LagMilliseconds:F0} ms)")]
    private partial void LogPersisted(string channelId, int videoCount, ChannelWrite outcome, double lagMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hand-off entry {MessageId} for {ChannelId} moved to the dead-letter stream: {Reason}")]
    private partial void LogDeadLettered(Exception? exception, string messageId, string channelId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Hand-off entry {MessageId} for {ChannelId} failed transiently (delivery {Delivery} of {MaxDeliveries}); retrying after a backoff")]
    private partial void LogTransientFailure(Exception exception, string messageId, string channelId, long delivery, int maxDeliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off stream unavailable; will retry")]
    private partial void LogHandoffUnavailable(Exception exception);
}

/// <summary>
/// Exponential backoff for the hand-off after a transient failure (1 s, doubling, at most a minute), shared by the
/// job's runs (Quartz creates a new job instance each time).
/// </summary>
public sealed class HandoffBackoff(TimeProvider timeProvider)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private TimeSpan _current = TimeSpan.Zero;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    public bool IsDue
    {
        get
        {
            lock (_lock)
            {
                return timeProvider.GetUtcNow() >= _retryAt;
            }
        }
    }

    public void Failed()
    {
        lock (_lock)
        {
            _current = _current == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(Longest.Ticks, _current.Ticks * 2));
            _retryAt = timeProvider.GetUtcNow() + _current;
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            _current = TimeSpan.Zero;
            _retryAt = DateTimeOffset.MinValue;
        }
    }
}
