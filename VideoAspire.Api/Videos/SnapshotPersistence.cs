using System.Diagnostics;
using System.Threading.Channels;
using StackExchange.Redis;
using VideoAspire.Catalog;
using VideoAspire.Catalog.Handoff;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Telemetry;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Api.Videos;

/// <summary>
/// Gets fetched videos into PostgreSQL without making the caller wait: normally by handing them to the Worker
/// through the Redis stream; when Redis cannot take them, by writing them from a background queue in this process.
/// </summary>
public sealed partial class SnapshotPersistence
{
    private readonly SnapshotHandoff handoff;
    private readonly ILogger<SnapshotPersistence> logger;

    private readonly Outages outages;

    public SnapshotPersistence(SnapshotHandoff handoff, Outages outages, ILogger<SnapshotPersistence> logger)
    {
        this.handoff = handoff;
        this.outages = outages;
        this.logger = logger;
        // Export the counter from the start (at 0), so "increase(...) > 0" alerts have a series to watch.
        CatalogTelemetry.HandoffFallbacks.Add(0);
    }

    // Bounded: a long Redis outage under a flood of cold channels must not exhaust memory.
    private readonly Channel<ChannelSnapshot> _fallback = System.Threading.Channels.Channel.CreateBounded<ChannelSnapshot>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<ChannelSnapshot> Fallback => _fallback.Reader;

    public async Task HandOffAsync(ChannelSnapshot snapshot)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("hand off snapshot", ActivityKind.Producer);
        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        try
        {
            var id = await handoff.PublishAsync(snapshot);
            LogHandedOff(snapshot.ChannelId, snapshot.Videos.Count, id);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            CatalogTelemetry.HandoffFallbacks.Add(1);
            outages.Redis.Failed(ex, "hand-off (persisting in-process instead)");
            if (!_fallback.Writer.TryWrite(snapshot))
            {
                LogFallbackFull(snapshot.ChannelId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed {VideoCount} videos of {ChannelId} to the Worker ({MessageId})")]
    private partial void LogHandedOff(string channelId, int videoCount, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "In-process persistence queue full; {ChannelId} will be fetched again on its next read")]
    private partial void LogFallbackFull(string channelId);
}

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
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                LogPersistFailed(ex, snapshot.ChannelId, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(LongestBackoff.TotalSeconds, Math.Pow(2, attempt - 1))), stoppingToken);
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
        catch (Exception ex) when (TransientFailures.IsRedisFailure(ex))
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
        catch (Exception ex) when (TransientFailures.IsRedisFailure(ex))
        {
            CatalogTelemetry.HandoffDeadLettered.Add(1);
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
