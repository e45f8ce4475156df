using System.Diagnostics;
using System.Threading.Channels;
using StackExchange.Redis;
using VideoAspire.Catalog.Caching;
using VideosDbContext = VideoAspire.Catalog.Data.VideosDbContext;
using VideoAspire.Catalog.Handoff;
using VideoAspire.Catalog.Persistence;
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

    public SnapshotPersistence(SnapshotHandoff handoff, ILogger<SnapshotPersistence> logger)
    {
        this.handoff = handoff;
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
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            CatalogTelemetry.HandoffFallbacks.Add(1);
            LogHandoffUnavailable(ex, snapshot.ChannelId);
            if (!_fallback.Writer.TryWrite(snapshot))
            {
                LogFallbackFull(snapshot.ChannelId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed {VideoCount} videos of {ChannelId} to the Worker ({MessageId})")]
    private partial void LogHandedOff(string channelId, int videoCount, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-off unavailable for {ChannelId}; persisting in-process")]
    private partial void LogHandoffUnavailable(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "In-process persistence queue full; {ChannelId} will be fetched again on its next read")]
    private partial void LogFallbackFull(string channelId);
}

/// <summary>Drains <see cref="SnapshotPersistence"/>'s fallback queue into PostgreSQL, retrying until it succeeds.</summary>
public sealed partial class InProcessPersistenceService(
    SnapshotPersistence persistence,
    IServiceScopeFactory scopeFactory,
    LatestVideosCache cache,
    ILogger<InProcessPersistenceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var snapshot in persistence.Fallback.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();
                    var changed = await db.UpsertAsync(snapshot, stoppingToken);
                    await cache.EvictOutputCacheAsync(snapshot.ChannelId, stoppingToken);
                    LogPersisted(snapshot.ChannelId, changed);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPersistFailed(ex, snapshot.ChannelId, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), stoppingToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Persisted {ChannelId} in-process ({ChangedRows} rows changed)")]
    private partial void LogPersisted(string channelId, int changedRows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-process persistence of {ChannelId} failed (attempt {Attempt}); retrying")]
    private partial void LogPersistFailed(Exception exception, string channelId, int attempt);
}
