using System.Diagnostics;
using Npgsql;
using VideoAspire.Api.Extensions;
using VideoAspire.Catalog;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Telemetry;

namespace VideoAspire.Api.Videos;

/// <summary>
/// The read path: Redis latest-five entry, else PostgreSQL (then fill Redis), else YouTube (answered at once,
/// persisted asynchronously).
/// </summary>
public sealed partial class LatestVideosReader(
    LatestVideosCache cache,
    NpgsqlDataSource database,
    ColdChannelFetcher coldFetcher,
    ChannelAccessTracker accessTracker,
    ILogger<LatestVideosReader> logger)
{
    public async Task<VideosLookup> GetAsync(string channelId, bool wait, CancellationToken cancellationToken)
    {
        var videos = await cache.GetAsync(channelId);
        if (videos is null)
        {
            videos = await LoadFromDatabaseAsync(channelId, cancellationToken);
            if (videos is null)
            {
                // Known nowhere yet, or the database is down: YouTube decides (the row, and its last_accessed_at,
                // arrive with the hand-off).
                return await coldFetcher.FetchAsync(channelId, wait, cancellationToken);
            }

            await cache.SetAsync(channelId, videos);
        }

        accessTracker.RecordAccess(channelId);
        return new VideosLookup.Found(videos);
    }

    private async Task<IReadOnlyList<LatestVideo>?> LoadFromDatabaseAsync(string channelId, CancellationToken cancellationToken)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("load latest videos from database");
        activity?.SetTag("videoaspire.channel_id", channelId);
        var started = Stopwatch.GetTimestamp();

        IReadOnlyList<LatestVideo>? videos;
        try
        {
            videos = await database.GetLatestVideosAsync(channelId, cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            // Degrade: YouTube can still answer (and the hand-off waits for PostgreSQL to come back).
            LogDatabaseUnavailable(ex, channelId);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return null;
        }

        CatalogTelemetry.DatabaseQueries.Add(1);
        activity?.SetTag("videoaspire.video_count", videos?.Count);
        LogDatabaseRead(channelId, videos?.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return videos;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL unavailable reading {ChannelId}; asking YouTube instead")]
    private partial void LogDatabaseUnavailable(Exception exception, string channelId);

    // Debug: one line per request would cost more than the read itself (spans and metrics still record every read).
    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Read latest videos of {ChannelId} from PostgreSQL: {VideoCount} videos in {ElapsedMilliseconds:F1} ms (null = unknown channel)")]
    private partial void LogDatabaseRead(string channelId, int? videoCount, double elapsedMilliseconds);
}
