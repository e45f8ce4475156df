using Microsoft.EntityFrameworkCore;
using Npgsql;
using VideoAspire.Telemetry;

namespace VideoAspire.Data;

public sealed partial class ChannelWriter
{
    /// <summary>
    /// Writes many snapshots fetched from YouTube's uploads playlists (<see cref="WriteOrigin.YouTube"/>; not pushed
    /// ones, which carry deletions and are not refreshes, nor ones that read kind playlists:
    /// <see cref="WriteAsync"/> writes those; <see cref="CanBatch"/> tells them apart) with one statement, hence one round
    /// trip and one commit, under the same rules as <see cref="WriteAsync"/>: a row changes only for a write at least as
    /// new as the one that wrote it, a deleted channel is not revived, a video never moves between channels, and every
    /// channel that changed has its cached answers evicted.
    /// </summary>
    /// <returns>One outcome per snapshot, in the order given (<see cref="ChannelWrite.Applied"/> or
    /// <see cref="ChannelWrite.ChannelDeleted"/>).</returns>
    /// <remarks>
    /// One statement cannot upsert the same row twice, so snapshots that share a channel or a video go to successive
    /// rounds (oldest first); usually there is one. All rounds commit together: either the whole batch is written or none.
    /// </remarks>
    public async Task<IReadOnlyList<ChannelWrite>> WriteFetchedAsync(IReadOnlyList<ChannelSnapshot> snapshots, CancellationToken cancellationToken)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("write fetched channels");
        activity?.SetTag("videoaspire.snapshot_count", snapshots.Count);
        var outcomes = new ChannelWrite[snapshots.Count];
        var rounds = SplitIntoRounds(snapshots);

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                foreach (var round in rounds)
                {
                    await WriteRoundAsync(connection, snapshots, round, outcomes, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        // Evictions of every changed channel at once: pipelined on the one Redis connection.
        var written = snapshots.Zip(outcomes, (snapshot, outcome) => (snapshot.ChannelId, Outcome: outcome)).ToList();
        await Task.WhenAll(written
            .Where(w => ChangesCachedAnswers(w.Outcome, WriteOrigin.YouTube))
            .Select(w => w.ChannelId)
            .Distinct(StringComparer.Ordinal)
            .Select(channelId => caches.ChannelChangedAsync(channelId, cancellationToken)));
        foreach (var (channelId, outcome) in written.Where(w => w.Outcome is ChannelWrite.ChannelDeleted))
        {
            LogWriteRefused(channelId, WriteOrigin.YouTube, outcome.GetType().Name);
        }

        return outcomes;
    }

    /// <summary>Whether <see cref="WriteFetchedAsync"/> can write the snapshot (a plain fetch of the channel's uploads).</summary>
    public static bool CanBatch(ChannelSnapshot snapshot) => snapshot.IncludesUploads && !snapshot.KindPlaylists.Any()
        && snapshot.RemovedVideoIds is not { Count: > 0 };

    /// <summary>Indexes of the snapshots per round, oldest snapshots first; no channel or video twice in a round.</summary>
    internal static List<List<int>> SplitIntoRounds(IReadOnlyList<ChannelSnapshot> snapshots)
    {
        var rounds = new List<List<int>>();
        var lastRoundOf = new Dictionary<string, int>(StringComparer.Ordinal); // channel or video id -> last round using it
        foreach (var index in Enumerable.Range(0, snapshots.Count).OrderBy(i => snapshots[i].FetchedAt))
        {
            var snapshot = snapshots[index];
            var keys = snapshot.Videos.Where(v => v is not null && VideoId.IsValid(v.VideoId)).Select(v => "v:" + v.VideoId)
                .Append("c:" + snapshot.ChannelId).Distinct().ToList();
            var round = keys.Select(key => lastRoundOf.TryGetValue(key, out var used) ? used + 1 : 0).DefaultIfEmpty(0).Max();
            if (round == rounds.Count)
            {
                rounds.Add([]);
            }

            rounds[round].Add(index);
            foreach (var key in keys)
            {
                lastRoundOf[key] = round;
            }
        }

        return rounds;
    }

    private static async Task WriteRoundAsync(
        NpgsqlConnection connection, IReadOnlyList<ChannelSnapshot> snapshots, List<int> round, ChannelWrite[] outcomes, CancellationToken cancellationToken)
    {
        var channelIds = new List<string>();
        var channelTitles = new List<string>();
        var sourceTimes = new List<DateTime>();
        var videoChannels = new List<string>();
        var videoIds = new List<string>();
        var videoTitles = new List<string>();
        var published = new List<DateTime>();
        foreach (var index in round)
        {
            var snapshot = snapshots[index];
            channelIds.Add(snapshot.ChannelId);
            channelTitles.Add(StoredTitle.Truncate(snapshot.Title ?? ""));
            sourceTimes.Add(snapshot.FetchedAt.UtcDateTime);
            // Upstream data is untrusted: keep only rows that fit the schema (as WriteAsync does).
            foreach (var video in snapshot.Videos.Where(v => v is not null && VideoId.IsValid(v.VideoId)).DistinctBy(v => v.VideoId))
            {
                videoChannels.Add(snapshot.ChannelId);
                videoIds.Add(video.VideoId);
                videoTitles.Add(StoredTitle.Truncate(video.Title ?? ""));
                published.Add(video.PublishedAt.UtcDateTime);
            }
        }

        // The statement of WriteAsync for many channels at once. The channel upsert locks each row (in id order, so two
        // batches cannot deadlock on each other) and skips deleted ones; only the videos of channels it kept are written.
        // "changed" reads the tables as they were before the statement, so it counts what really changed.
        await using var command = new NpgsqlCommand("""
            WITH incoming_channels AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS c(id, title, source_time)
            ),
            kept AS (
                INSERT INTO channels AS ch (id, title, created_at, last_refreshed_at, last_accessed_at, source_time)
                SELECT id, title, now(), source_time, source_time, source_time FROM incoming_channels ORDER BY id
                ON CONFLICT (id) DO UPDATE
                SET title = CASE WHEN EXCLUDED.title <> '' AND EXCLUDED.source_time >= COALESCE(ch.source_time, '-infinity')
                                 THEN EXCLUDED.title ELSE ch.title END,
                    source_time = GREATEST(ch.source_time, EXCLUDED.source_time),
                    last_refreshed_at = GREATEST(ch.last_refreshed_at, EXCLUDED.last_refreshed_at),
                    refresh_failures = 0
                WHERE ch.deleted_at IS NULL
                RETURNING ch.id, (ch.xmax = 0) AS created
            ),
            incoming AS (
                SELECT i.*, c.source_time
                FROM unnest($4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS i(channel_id, video_id, title, published_at)
                JOIN incoming_channels c ON c.id = i.channel_id
                WHERE i.channel_id IN (SELECT id FROM kept)
                  AND NOT EXISTS (SELECT 1 FROM video_tombstones t WHERE t.video_id = i.video_id AND t.deleted_at >= c.source_time)
            ),
            changed AS (
                SELECT i.channel_id, v.video_id IS NULL AS inserted FROM incoming i LEFT JOIN videos v ON v.video_id = i.video_id
                WHERE v.video_id IS NULL
                   OR (v.channel_id = i.channel_id AND v.source_time <= i.source_time
                       AND (v.title, v.published_at) IS DISTINCT FROM (i.title, i.published_at))
            ),
            upserted AS (
                INSERT INTO videos (video_id, channel_id, title, published_at, source_time)
                SELECT video_id, channel_id, title, published_at, source_time FROM incoming ORDER BY video_id
                ON CONFLICT (video_id) DO UPDATE
                SET title = EXCLUDED.title, published_at = EXCLUDED.published_at, source_time = EXCLUDED.source_time
                WHERE videos.channel_id = EXCLUDED.channel_id AND videos.source_time <= EXCLUDED.source_time
                  AND (videos.title, videos.published_at, videos.source_time)
                      IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.published_at, EXCLUDED.source_time)
                RETURNING 1
            ),
            stale AS (
                -- A new upload (of unknown kind) makes the kinds read before it stale: see WriteAsync.
                DELETE FROM channel_kinds ck USING incoming_channels c
                WHERE ck.channel_id = c.id AND ck.fetched_at < c.source_time
                  AND EXISTS (SELECT 1 FROM changed WHERE changed.channel_id = c.id AND changed.inserted)
            )
            SELECT c.id, k.id IS NOT NULL, COALESCE(k.created, false),
                   (SELECT count(*) FROM changed WHERE changed.channel_id = c.id)::int
            FROM incoming_channels c LEFT JOIN kept k ON k.id = c.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channelIds] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channelTitles] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. sourceTimes] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videoChannels] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videoIds] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videoTitles] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. published] });

        var byChannel = round.ToDictionary(index => snapshots[index].ChannelId, StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var index = byChannel[reader.GetString(0)];
            outcomes[index] = reader.GetBoolean(1)
                ? new ChannelWrite.Applied(reader.GetInt32(3), reader.GetBoolean(2))
                : new ChannelWrite.ChannelDeleted();
        }
    }
}
