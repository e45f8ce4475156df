using VideoAspire.Data;
using VideoAspire.Redis.Connection;
using VideoAspire.Redis.Handoff;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Videos;

/// <summary>
/// Drains <see cref="SnapshotPersistence"/>'s fallback queue into PostgreSQL through the <see cref="ChannelWriter"/>.
/// Transient failures (PostgreSQL out of reach) are retried with backoff; a snapshot that can never be written goes
/// to the dead-letter stream (or, with Redis down too, to the error log in full) instead of blocking the queue. On
/// shutdown what is left is handed to Redis if it is back, else written directly, else logged in full.
/// </summary>
public sealed partial class InProcessPersistenceService(
    SnapshotPersistence persistence,
    SnapshotHandoff handoff,
    IServiceScopeFactory scopeFactory,
    ILogger<InProcessPersistenceService> logger) : BackgroundService
{
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);

    private ChannelSnapshot? _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in persistence.Fallback.ReadAllAsync(stoppingToken))
            {
                _current = snapshot;
                await PersistWithRetriesAsync(snapshot, stoppingToken);
                _current = null;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync drains what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var left = new List<ChannelSnapshot>();
        if (_current is { } current)
        {
            left.Add(current);
        }

        while (persistence.Fallback.TryRead(out var snapshot))
        {
            left.Add(snapshot);
        }

        foreach (var snapshot in left)
        {
            await DrainAsync(snapshot, cancellationToken);
        }
    }

    private async Task PersistWithRetriesAsync(ChannelSnapshot snapshot, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(snapshot, stoppingToken);
                return;
            }
            catch (Exception ex) when (DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure))
            {
                LogPersistFailed(ex, snapshot.ChannelId, attempt);
                await Task.Delay(Backoff.Delay(attempt, TimeSpan.FromSeconds(1), LongestBackoff), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await DeadLetterAsync(snapshot, ex);
                return;
            }
        }
    }

    private async Task DrainAsync(ChannelSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            await handoff.PublishAsync(snapshot); // durable again, for a Worker to persist
            return;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            // Redis still down: try PostgreSQL directly.
        }

        try
        {
            await WriteAsync(snapshot, cancellationToken);
        }
        catch (Exception ex)
        {
            LogLost(ex, snapshot.ChannelId, SnapshotHandoff.Serialize(snapshot));
        }
    }

    private async Task WriteAsync(ChannelSnapshot snapshot, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteAsync(snapshot, WriteOrigin.YouTube, cancellationToken);
        LogPersisted(snapshot.ChannelId, outcome);
    }

    private async Task DeadLetterAsync(ChannelSnapshot snapshot, Exception exception)
    {
        var reason = $"cannot be persisted: {exception.GetType().Name}: {exception.Message}";
        try
        {
            await handoff.DeadLetterAsync(snapshot, reason);
            LogDeadLettered(exception, snapshot.ChannelId);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            VideoAspireTelemetry.HandoffDeadLettered.Add(1);
            LogLost(exception, snapshot.ChannelId, SnapshotHandoff.Serialize(snapshot));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Persisted {ChannelId} in-process ({Outcome})")]
    private partial void LogPersisted(string channelId, ChannelWrite outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-process persistence of {ChannelId} failed transiently (attempt {Attempt}); retrying")]
    private partial void LogPersistFailed(Exception exception, string channelId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Snapshot of {ChannelId} cannot be persisted; moved to the dead-letter stream")]
    private partial void LogDeadLettered(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Snapshot of {ChannelId} could not be persisted nor handed off; kept only in this log: {Snapshot}")]
    private partial void LogLost(Exception exception, string channelId, string snapshot);
}
