using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using VideoAspire.Api.Security;
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
    IOptions<ApiOptions> options,
    Outages outages,
    ILogger<LatestVideosReader> logger)
{
    /// <param name="caller">Who asks: a channel we do not store counts against its cold-lookup allowance.</param>
    /// <param name="cacheRead">The Redis read of the channel's entry, if already sent (<see cref="PrefetchedLatestVideos"/>).</param>
    public async Task<VideosLookup> GetAsync(string channelId, bool wait, Caller caller, CancellationToken cancellationToken,
        Task<RedisValue>? cacheRead = null)
    {
        var videos = await cache.GetAsync(channelId, cacheRead);
        if (videos is null)
        {
            var stored = await LoadFromDatabaseAsync(channelId, cancellationToken);
            switch (stored?.State)
            {
                case ChannelState.Deleted:
                    return new VideosLookup.Deleted(); // deleted here on purpose: not fetched back from YouTube
                case ChannelState.Stored:
                    videos = stored.Value.Videos;
                    await cache.SetAsync(channelId, videos);
                    break;
                default:
                    // Known nowhere yet, or the database is down: YouTube decides (the row, and its last_accessed_at,
                    // arrive with the hand-off).
                    return await coldFetcher.FetchAsync(channelId, wait, caller, cancellationToken);
            }
        }

        accessTracker.RecordAccess(channelId);
        return new VideosLookup.Found(videos);
    }

    /// <returns>Null when the database is unavailable.</returns>
    private async Task<StoredChannel?> LoadFromDatabaseAsync(string channelId, CancellationToken cancellationToken)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("load latest videos from database");
        activity?.SetTag("videoaspire.channel_id", channelId);
        var started = Stopwatch.GetTimestamp();

        StoredChannel stored;
        // Bounded by no longer waiting, not by cancelling (see AddLatestVideosDataSource): a read PostgreSQL does not
        // answer within the budget is left to finish on its own, and this request fails over at once.
        var read = database.GetLatestVideosAsync(channelId, CancellationToken.None);
        try
        {
            stored = await read.WaitAsync(options.Value.DatabaseBudget, cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.IsDatabaseUnavailable(ex))
        {
            _ = read.ContinueWith(static abandoned => _ = abandoned.Exception, TaskContinuationOptions.OnlyOnFaulted);
            // Degrade: YouTube can still answer (and the hand-off waits for PostgreSQL to come back).
            outages.Database.Failed(ex, "read latest videos");
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return null;
        }

        outages.Database.Succeeded();
        CatalogTelemetry.DatabaseQueries.Add(1);
        activity?.SetTag("videoaspire.video_count", stored.Videos.Count);
        activity?.SetTag("videoaspire.channel_state", stored.State.ToString());
        LogDatabaseRead(channelId, stored.State, stored.Videos.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return stored;
    }

    // Debug: one line per request would cost more than the read itself (spans and metrics still record every read).
    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Read latest videos of {ChannelId} from PostgreSQL: {ChannelState}, {VideoCount} videos in {ElapsedMilliseconds:F1} ms")]
    private partial void LogDatabaseRead(string channelId, ChannelState channelState, int videoCount, double elapsedMilliseconds);
}
