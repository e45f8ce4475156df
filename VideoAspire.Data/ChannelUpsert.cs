using Npgsql;

namespace VideoAspire.Data;

/// <summary>
/// The write rule, in one statement for any number of channels: the single write is a batch of one (plus its own
/// steps around it), the hand-off's batch a batch of many.
/// <list type="bullet">
/// <item>a channel row is upserted and locked (in id order, so two batches cannot deadlock); a deleted channel is kept
/// out unless the write may revive it, and then none of its videos is written;</item>
/// <item>a video row changes only for a write at least as new as the one that wrote it (source time), never moves to
/// another channel, and is not written over its tombstone when the tombstone is at least as new;</item>
/// <item>a new video of unknown kind makes the kinds read before it stale (they are asked of YouTube again);</item>
/// <item>"changed" reads the tables as they were before the statement, so it counts what really changed;</item>
/// <item>every video inserted or changed records its event in the outbox (<see cref="VideoEvent"/>), in the same statement.</item>
/// </list>
/// </summary>
internal static class ChannelUpsert
{
    /// <param name="FetchedAt">When the channel's uploads were fetched: a refresh (null for a push, an Api write or a
    /// kind playlist alone).</param>
    /// <param name="Revive">May bring back a deleted channel (an explicit Api write).</param>
    internal readonly record struct Channel(string Id, string Title, DateTime SourceTime, DateTime? FetchedAt, bool Revive);

    /// <param name="Kept">False: the channel is deleted and this write may not bring it back; nothing was written.</param>
    /// <param name="Created">The channel row did not exist before.</param>
    /// <param name="Changed">Videos inserted or changed.</param>
    internal readonly record struct Result(bool Kept, bool Created, int Changed);

    /// <summary>The snapshot's videos that fit the schema (upstream data is untrusted), once each, titles truncated.</summary>
    internal static IEnumerable<(string ChannelId, FetchedVideo Fetched)> VideosOf(ChannelSnapshot snapshot) => snapshot.Videos
        .Where(v => v is not null && VideoId.IsValid(v.VideoId))
        .DistinctBy(v => v.VideoId)
        .Select(v => (snapshot.ChannelId, v with
        {
            Title = StoredTitle.Truncate(v.Title ?? ""),
            Kind = v.Kind == VideoKind.All ? null : v.Kind,
        }));

    /// <summary>Runs the statement on <paramref name="connection"/>, inside its current transaction.</summary>
    /// <remarks>No channel and no video may appear twice (one statement cannot upsert a row twice).</remarks>
    internal static async Task<Dictionary<string, Result>> RunAsync(
        NpgsqlConnection connection, IReadOnlyCollection<Channel> channels, IReadOnlyCollection<(string ChannelId, FetchedVideo Fetched)> videos, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($$"""
            WITH incoming_channels AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bool[])
                    AS c(id, title, source_time, fetched_at, revive)
            ),
            kept AS (
                INSERT INTO channels AS ch (id, title, created_at, last_refreshed_at, last_accessed_at, source_time)
                SELECT id, title, now(), fetched_at, fetched_at, source_time FROM incoming_channels ORDER BY id
                ON CONFLICT (id) DO UPDATE
                SET title = CASE WHEN EXCLUDED.title <> '' AND EXCLUDED.source_time >= COALESCE(ch.source_time, '-infinity')
                                 THEN EXCLUDED.title ELSE ch.title END,
                    source_time = GREATEST(ch.source_time, EXCLUDED.source_time),
                    last_refreshed_at = GREATEST(ch.last_refreshed_at, EXCLUDED.last_refreshed_at),
                    refresh_failures = CASE WHEN EXCLUDED.last_refreshed_at IS NULL THEN ch.refresh_failures ELSE 0 END,
                    deleted_at = NULL
                WHERE ch.deleted_at IS NULL OR EXCLUDED.id IN (SELECT id FROM incoming_channels WHERE revive)
                RETURNING ch.id, (ch.xmax = 0) AS created
            ),
            incoming AS (
                SELECT i.*, c.source_time
                FROM unnest($6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])
                    AS i(channel_id, video_id, title, published_at, kind)
                JOIN incoming_channels c ON c.id = i.channel_id
                WHERE i.channel_id IN (SELECT id FROM kept)
                  AND NOT EXISTS (SELECT 1 FROM video_tombstones t WHERE t.video_id = i.video_id AND t.deleted_at >= c.source_time)
            ),
            changed AS (
                SELECT i.channel_id, v.video_id IS NULL AND i.kind IS NULL AS unknown_kind
                FROM incoming i LEFT JOIN videos v ON v.video_id = i.video_id
                WHERE v.video_id IS NULL
                   OR (v.channel_id = i.channel_id AND v.source_time <= i.source_time
                       AND (v.title, v.published_at) IS DISTINCT FROM (i.title, i.published_at))
            ),
            upserted AS (
                INSERT INTO videos (video_id, channel_id, title, published_at, source_time, kind)
                SELECT video_id, channel_id, title, published_at, source_time, kind FROM incoming ORDER BY video_id
                ON CONFLICT (video_id) DO UPDATE
                SET title = EXCLUDED.title, published_at = EXCLUDED.published_at, source_time = EXCLUDED.source_time
                WHERE videos.channel_id = EXCLUDED.channel_id AND videos.source_time <= EXCLUDED.source_time
                  AND (videos.title, videos.published_at, videos.source_time)
                      IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.published_at, EXCLUDED.source_time)
                RETURNING videos.video_id, videos.channel_id, videos.title, videos.published_at, videos.kind, (videos.xmax = 0) AS inserted
            ),
            events AS (
                -- The outbox, in the same statement as the change: a row inserted is published, a row whose title or
                -- publish time changed is updated ("old" is the table before the statement). A row another write
                -- inserted while this one waited on it is neither: that write has its event.
                INSERT INTO video_events (type, channel_id, video_id, title, published_at, kind)
                SELECT CASE WHEN u.inserted THEN '{{VideoEventType.Published}}' ELSE '{{VideoEventType.Updated}}' END,
                       u.channel_id, u.video_id, u.title, u.published_at, u.kind
                FROM upserted u LEFT JOIN videos old ON old.video_id = u.video_id
                WHERE u.inserted
                   OR (old.video_id IS NOT NULL AND (old.title, old.published_at) IS DISTINCT FROM (u.title, u.published_at))
                ORDER BY u.published_at, u.video_id
                ON CONFLICT (video_id) WHERE type = '{{VideoEventType.Published}}' DO NOTHING
            ),
            stale AS (
                DELETE FROM channel_kinds ck USING incoming_channels c
                WHERE ck.channel_id = c.id AND ck.fetched_at < c.source_time
                  AND EXISTS (SELECT 1 FROM changed WHERE changed.channel_id = c.id AND changed.unknown_kind)
            )
            SELECT c.id, k.id IS NOT NULL, COALESCE(k.created, false),
                   (SELECT count(*) FROM changed WHERE changed.channel_id = c.id)::int
            FROM incoming_channels c LEFT JOIN kept k ON k.id = c.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels.Select(c => c.Id)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels.Select(c => c.Title)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. channels.Select(c => c.SourceTime)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]> { TypedValue = [.. channels.Select(c => c.FetchedAt)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. channels.Select(c => c.Revive)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videos.Select(v => v.ChannelId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videos.Select(v => v.Fetched.VideoId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. videos.Select(v => v.Fetched.Title)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. videos.Select(v => v.Fetched.PublishedAt.UtcDateTime)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. videos.Select(v => v.Fetched.Kind?.Name())] });

        var results = new Dictionary<string, Result>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results[reader.GetString(0)] = new Result(reader.GetBoolean(1), reader.GetBoolean(2), reader.GetInt32(3));
        }

        return results;
    }
}
