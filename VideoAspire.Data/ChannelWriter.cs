using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using VideoAspire.Domain.Ports;
using VideoAspire.Telemetry;

namespace VideoAspire.Data;

/// <summary>
/// The one way anything about a channel reaches PostgreSQL, whoever writes it (the Worker's hand-off and refresh, the
/// Api's in-process fallback and its write endpoints), so that the rules live in one place:
/// <list type="bullet">
/// <item>every write carries a source time, and a row is changed only by a write at least as new as the one that wrote
/// it (a late snapshot never overwrites a newer PUT);</item>
/// <item>a deleted channel stays deleted until an explicit Api write brings it back;</item>
/// <item>a video never moves between channels (Api writes naming one are refused);</item>
/// <item>every write that changed something evicts the channel's cached answers, and an eviction that fails is retried
/// in the background rather than forgotten.</item>
/// </list>
/// Writes for one channel are serialized by a lock on its row, so each sees the one before it.
/// </summary>
public sealed partial class ChannelWriter(
    VideosDbContext db,
    IChannelCacheInvalidation caches,
    ILogger<ChannelWriter> logger)
{
    /// <summary>Idempotent: the same snapshot written twice leaves the same rows and reports no change the second time.</summary>
    public async Task<ChannelWrite> WriteAsync(ChannelSnapshot snapshot, WriteOrigin origin, CancellationToken cancellationToken)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("write channel");
        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);
        activity?.SetTag("videoaspire.write_origin", origin.ToString());

        var channelId = snapshot.ChannelId;
        var videos = ChannelUpsert.VideosOf(snapshot).ToList();
        var ids = videos.Select(v => v.Fetched.VideoId).ToArray();
        var kinds = videos.Select(v => v.Fetched.Kind?.Name()).ToArray();
        var removed = snapshot.RemovedVideoIds?.Where(VideoId.IsValid).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        var kindPlaylists = snapshot.KindPlaylists.Select(kind => kind.Name()).Distinct().ToArray();
        var revive = origin == WriteOrigin.Api;

        var strategy = db.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // The row lock orders this write with every other write and delete of the channel.
            var existing = await db.Database
                .SqlQuery<DateTimeOffset?>($"SELECT deleted_at AS \"Value\" FROM channels WHERE id = {channelId} FOR UPDATE")
                .ToListAsync(cancellationToken);
            if (existing is [not null] && !revive)
            {
                return (ChannelWrite)new ChannelWrite.ChannelDeleted();
            }

            if (origin == WriteOrigin.Api && ids.Length > 0)
            {
                var foreign = await db.Database
                    .SqlQuery<string>($"SELECT video_id AS \"Value\" FROM videos WHERE video_id = ANY({ids}) AND channel_id <> {channelId}")
                    .ToListAsync(cancellationToken);
                if (foreign.Count > 0)
                {
                    return new ChannelWrite.VideosOfAnotherChannel(foreign);
                }
            }

            // When what this write says was true: YouTube's fetch time for a snapshot, the database's own clock for an
            // Api write (the caller says it now; a pod whose clock runs behind must not make it lose to older data).
            var sourceTime = origin == WriteOrigin.Api
                ? (await db.Database.SqlQuery<DateTime>($"SELECT now() AS \"Value\"").ToListAsync(cancellationToken))[0]
                : snapshot.FetchedAt.UtcDateTime;
            // A channel first stored from YouTube was just read by someone (that is why it was fetched). A pushed item,
            // or a kind playlist alone, is not a fetch of the channel's uploads: it does not count as a refresh.
            DateTime? fetchedAt = origin == WriteOrigin.YouTube && snapshot.IncludesUploads ? sourceTime : null;
            var channel = new ChannelUpsert.Channel(channelId, StoredTitle.Truncate(snapshot.Title ?? ""), sourceTime, fetchedAt, revive);

            // The write rule, as for a batch (this one channel, kept: the lock above checked it).
            var written = (await ChannelUpsert.RunAsync((NpgsqlConnection)db.Database.GetDbConnection(), [channel], videos, cancellationToken))[channelId];

            // Deletions (a pushed one names one video): the row goes unless something newer wrote it, and a tombstone
            // stays so that no older snapshot brings it back.
            var deleted = removed.Length == 0 ? 0 : (await db.Database.SqlQuery<int>($"""
                WITH gone AS (
                    DELETE FROM videos WHERE video_id = ANY({removed}) AND channel_id = {channelId} AND source_time <= {sourceTime}
                    RETURNING video_id, channel_id, title, published_at, kind
                ),
                announced AS (
                    INSERT INTO video_events (type, channel_id, video_id, title, published_at, kind)
                    SELECT {VideoEventType.Deleted}, channel_id, video_id, title, published_at, kind FROM gone
                ),
                marked AS (
                    INSERT INTO video_tombstones (video_id, channel_id, deleted_at)
                    SELECT unnest({removed}::text[]), {channelId}, {sourceTime}
                    ON CONFLICT (video_id) DO UPDATE SET deleted_at = GREATEST(video_tombstones.deleted_at, EXCLUDED.deleted_at)
                )
                SELECT count(*)::int AS "Value" FROM gone
                """).ToListAsync(cancellationToken))[0];

            // A video's kind does not change with time, so unlike its title it is not subject to write ordering: any
            // write that knows it records it, even one older than the row (two kinds of a channel fetched at once may
            // be written in either order). Writes that do not know it leave it alone.
            var kindsLearnt = !kinds.Any(kind => kind is not null) ? 0 : await db.Database.ExecuteSqlAsync($"""
                UPDATE videos v SET kind = i.kind
                FROM unnest({ids}::text[], {kinds}::text[]) AS i(video_id, kind)
                WHERE v.video_id = i.video_id AND v.channel_id = {channelId}
                  AND i.kind IS NOT NULL AND v.kind IS DISTINCT FROM i.kind
                """, cancellationToken);

            // The kind playlists this snapshot read: their newest videos are now stored as of its source time, unless
            // a video of unknown kind published since then is stored already (written by a newer snapshot first).
            if (kindPlaylists.Length > 0)
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO channel_kinds (channel_id, kind, fetched_at)
                    SELECT {channelId}, unnest({kindPlaylists}::text[]), {sourceTime}
                    WHERE NOT EXISTS (SELECT 1 FROM videos
                                      WHERE channel_id = {channelId} AND kind IS NULL AND published_at > {sourceTime})
                    ON CONFLICT (channel_id, kind) DO UPDATE SET fetched_at = GREATEST(channel_kinds.fetched_at, EXCLUDED.fetched_at)
                    """, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new ChannelWrite.Applied(written.Changed + deleted + kindsLearnt, written.Created);
        });

        activity?.SetTag("videoaspire.write_outcome", outcome.GetType().Name);
        if (outcome is ChannelWrite.Applied applied)
        {
            activity?.SetTag("videoaspire.changed_rows", applied.ChangedRows);
            if (ChangesCachedAnswers(applied, origin))
            {
                await caches.ChannelChangedAsync(channelId, cancellationToken);
            }
        }
        else
        {
            LogWriteRefused(channelId, origin, outcome.GetType().Name);
        }

        return outcome;
    }

    /// <summary>Deletes the channel's videos and marks the channel deleted. False when there was no (live) channel.</summary>
    public async Task<bool> DeleteAsync(string channelId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("delete channel");
        activity?.SetTag("videoaspire.channel_id", channelId);
        var deletedAt = at.ToUniversalTime();

        var strategy = db.Database.CreateExecutionStrategy();
        var deleted = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var marked = await db.Database.ExecuteSqlAsync($"""
                UPDATE channels SET deleted_at = {deletedAt}, source_time = GREATEST(source_time, {deletedAt})
                WHERE id = {channelId} AND deleted_at IS NULL
                """, cancellationToken);
            if (marked == 0)
            {
                return false;
            }

            await db.Database.ExecuteSqlAsync($"DELETE FROM videos WHERE channel_id = {channelId}", cancellationToken);
            // Nothing of any kind is stored any more: a channel brought back reads its kinds afresh.
            await db.Database.ExecuteSqlAsync($"DELETE FROM channel_kinds WHERE channel_id = {channelId}", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });

        if (deleted)
        {
            await caches.ChannelDeletedAsync(channelId, cancellationToken);
        }

        return deleted;
    }

    /// <summary>Whether a write leaves the channel's cached answers stale (an Api write always evicts: the caller expects it).</summary>
    private static bool ChangesCachedAnswers(ChannelWrite outcome, WriteOrigin origin) =>
        outcome is ChannelWrite.Applied applied && (applied.ChangedRows > 0 || applied.Created || origin == WriteOrigin.Api);

    [LoggerMessage(Level = LogLevel.Information, Message = "Write to {ChannelId} from {Origin} refused: {Outcome}")]
    private partial void LogWriteRefused(string channelId, WriteOrigin origin, string outcome);
}
