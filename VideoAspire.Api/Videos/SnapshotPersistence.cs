using System.Diagnostics;
using System.Threading.Channels;
using VideoAspire.Data;
using VideoAspire.Redis.Connection;
using VideoAspire.Redis.Handoff;
using VideoAspire.Telemetry;

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
        VideoAspireTelemetry.HandoffFallbacks.Add(0);
    }

    // Bounded: a long Redis outage under a flood of cold channels must not exhaust memory.
    private readonly Channel<ChannelSnapshot> _fallback = System.Threading.Channels.Channel.CreateBounded<ChannelSnapshot>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<ChannelSnapshot> Fallback => _fallback.Reader;

    public async Task HandOffAsync(ChannelSnapshot snapshot)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("hand off snapshot", ActivityKind.Producer);
        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        try
        {
            var id = await handoff.PublishAsync(snapshot);
            LogHandedOff(snapshot.ChannelId, snapshot.Videos.Count, id);
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex, RedisFailures.IsFailure))
        {
            VideoAspireTelemetry.HandoffFallbacks.Add(1);
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
