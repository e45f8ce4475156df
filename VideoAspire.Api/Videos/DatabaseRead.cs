using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Videos;

/// <summary>
/// The Api's read of a channel in PostgreSQL, bounded by <see cref="ApiOptions.DatabaseBudget"/>: the read path's
/// database step, and the single flight's last look before it asks YouTube. With a read replica configured
/// (<c>ConnectionStrings:videosdb-read</c>) it reads there, except for a channel written within
/// <see cref="CacheOptions.ReadYourWritesWindow"/>, which it reads from the primary: the writer's own answer.
/// </summary>
public sealed partial class DatabaseRead(
    NpgsqlDataSource primary,
    [FromKeyedServices(ResourceNames.DatabaseReplica)] NpgsqlDataSource replica,
    ChannelCache cache,
    IOptions<ApiOptions> options,
    Outages outages,
    ILogger<DatabaseRead> logger)
{
    /// <param name="recentlyWritten">Whether the channel was written within the window, if a cache lookup just said
    /// (<see cref="CacheLookup.RecentlyWritten"/>); asked of Redis otherwise.</param>
    /// <param name="budget">How long to wait for it (default: <see cref="ApiOptions.DatabaseBudget"/>).</param>
    /// <returns>Null when the database is unavailable (or does not answer within the budget).</returns>
    public async Task<StoredChannel?> ReadAsync(string channelId, VideoKind kind, CancellationToken cancellationToken, bool? recentlyWritten = null,
        TimeSpan? budget = null)
    {
        var fromReplica = !ReferenceEquals(replica, primary) && !(recentlyWritten ?? await cache.MustReadPrimaryAsync(channelId));
        var database = fromReplica ? replica : primary;
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("load latest videos from database");
        activity?.SetTag("videoaspire.channel_id", channelId);
        activity?.SetTag("videoaspire.kind", kind.Name());
        var started = Stopwatch.GetTimestamp();

        StoredChannel stored;
        // Bounded by no longer waiting, not by cancelling (see AddLatestVideosDataSource): a read PostgreSQL does not
        // answer within the budget is left to finish on its own, and the caller fails over at once.
        var read = database.GetLatestVideosAsync(channelId, CancellationToken.None, kind);
        try
        {
            stored = await read.WaitAsync(budget ?? options.Value.DatabaseBudget, cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            _ = read.ContinueWith(static abandoned => _ = abandoned.Exception, TaskContinuationOptions.OnlyOnFaulted);
            outages.Database.Failed(ex, "read latest videos");
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return null;
        }

        outages.Database.Succeeded();
        VideoAspireTelemetry.DatabaseQueries.Add(1);
        activity?.SetTag("videoaspire.video_count", stored.Videos.Count);
        activity?.SetTag("videoaspire.channel_state", stored.State.ToString());
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogDatabaseRead(channelId, kind, stored.State, stored.Videos.Count, elapsed.TotalMilliseconds);
        return stored with { FromReplica = fromReplica };
    }

    // Debug: one line per request would cost more than the read itself (spans and metrics still record every read).
    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Read latest videos of {ChannelId} ({Kind}) from PostgreSQL: {ChannelState}, {VideoCount} videos in {ElapsedMilliseconds:F1} ms")]
    private partial void LogDatabaseRead(string channelId, VideoKind kind, ChannelState channelState, int videoCount, double elapsedMilliseconds);
}
