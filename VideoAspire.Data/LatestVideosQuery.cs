using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace VideoAspire.Data;

/// <summary>
/// The read the whole service exists for: a seek on ix_videos_channel_latest returning at most five rows.
/// Plain Npgsql rather than an EF Core query: it runs once per cache miss, and EF Core's compiled query builds a
/// delegate per execution. With <c>Max Auto Prepare</c> the statement is prepared
/// once per pooled connection.
/// </summary>
public static class LatestVideosQuery
{
    /// <summary>Newest first; the video id breaks ties, the same way everywhere (and as the index is sorted). The
    /// recently-accessed query repeats it for the rows of its lateral join.</summary>
    private const string NewestFirst = "published_at DESC, video_id DESC";

    private static readonly string LatestSql = $"""
        SELECT video_id, title, published_at FROM videos
        WHERE channel_id = $1
        ORDER BY {NewestFirst}
        LIMIT {LatestVideo.Count}
        """;

    // One round trip for a kind: whether the channel exists (no row: unknown; false: deleted), whether the kind's playlist
    // was read since the channel's last new upload (its marker), and the newest videos stored of that kind (a seek on the
    // partial ix_videos_channel_kind_latest; stale ones too: what is served when YouTube cannot be asked).
    private static readonly string LatestOfKindSql = $"""
        SELECT c.deleted_at IS NULL, k.fetched_at IS NOT NULL, v.video_id, v.title, v.published_at
        FROM channels c
        LEFT JOIN channel_kinds k ON k.channel_id = c.id AND k.kind = $2
        LEFT JOIN LATERAL (SELECT video_id, title, published_at FROM videos
                           WHERE channel_id = c.id AND kind = $2
                           ORDER BY {NewestFirst}
                           LIMIT {LatestVideo.Count}) AS v ON true
        WHERE c.id = $1
        ORDER BY v.published_at DESC, v.video_id DESC
        """;

    // A lateral seek per channel: five index entries each. (EF Core's translation of the same LINQ numbered every row
    // of the videos table with ROW_NUMBER() and took 8 s on 20 M videos.)
    private static readonly string RecentlyAccessedSql = $"""
        SELECT c.id, v.video_id, v.title, v.published_at
        FROM (SELECT id, last_accessed_at FROM channels
              WHERE last_accessed_at >= $1 AND deleted_at IS NULL
              ORDER BY last_accessed_at DESC
              LIMIT $2) AS c
        LEFT JOIN LATERAL (SELECT video_id, title, published_at FROM videos
                           WHERE channel_id = c.id
                           ORDER BY {NewestFirst}
                           LIMIT {LatestVideo.Count}) AS v ON true
        ORDER BY c.last_accessed_at DESC, c.id, v.published_at DESC, v.video_id DESC
        """;

    // No row: unknown. false: deleted (deleted_at set).
    private const string ChannelStateSql = "SELECT deleted_at IS NULL FROM channels WHERE id = $1";

    /// <summary>The channel's newest videos (of a kind) and whether it is stored, unknown or deleted (the Api's read path).</summary>
    public static async Task<StoredChannel> GetLatestVideosAsync(
        this NpgsqlDataSource dataSource, string channelId, CancellationToken cancellationToken, VideoKind kind = VideoKind.All)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return kind == VideoKind.All
            ? await ReadAsync(connection, transaction: null, channelId, cancellationToken)
            : await ReadKindAsync(connection, channelId, kind, cancellationToken);
    }

    /// <summary>The same, on the context's connection and inside its transaction, if any (after writing).</summary>
    public static Task<StoredChannel> GetLatestVideosAsync(
        this VideosDbContext db, string channelId, CancellationToken cancellationToken) =>
        OnContextConnectionAsync(db, (connection, transaction) => ReadAsync(connection, transaction, channelId, cancellationToken), cancellationToken);

    private static async Task<StoredChannel> ReadKindAsync(
        NpgsqlConnection connection, string channelId, VideoKind kind, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(LatestOfKindSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind.Name() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new(ChannelState.Unknown, []);
        }

        var state = reader.GetBoolean(0) ? ChannelState.Stored : ChannelState.Deleted;
        var kindFetched = reader.GetBoolean(1);
        var videos = new List<LatestVideo>(LatestVideo.Count);
        do
        {
            if (!reader.IsDBNull(2))
            {
                videos.Add(ReadVideo(reader, first: 2));
            }
        }
        while (await reader.ReadAsync(cancellationToken));

        return new(state, state == ChannelState.Stored ? videos : []) { KindFetched = kindFetched };
    }

    /// <summary>
    /// The newest videos of the channels read since <paramref name="since"/>, most recently read first, at most
    /// <paramref name="limit"/> channels (each with its videos, possibly none) in one query.
    /// </summary>
    public static Task<List<(string ChannelId, IReadOnlyList<LatestVideo> Videos)>> GetRecentlyAccessedLatestVideosAsync(
        this VideosDbContext db, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        OnContextConnectionAsync(db, async (connection, transaction) =>
        {
            var channels = new List<(string ChannelId, IReadOnlyList<LatestVideo> Videos)>();
            await using var command = new NpgsqlCommand(RecentlyAccessedSql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            List<LatestVideo>? videos = null;
            while (await reader.ReadAsync(cancellationToken))
            {
                var channelId = reader.GetString(0);
                if (channels.Count == 0 || channels[^1].ChannelId != channelId)
                {
                    videos = new List<LatestVideo>(LatestVideo.Count);
                    channels.Add((channelId, videos));
                }

                if (!reader.IsDBNull(1))
                {
                    videos!.Add(ReadVideo(reader, first: 1));
                }
            }

            return channels;
        }, cancellationToken);

    /// <summary>Runs on the context's connection (opened for the call if closed), inside its transaction if any.</summary>
    private static async Task<T> OnContextConnectionAsync<T>(
        VideosDbContext db, Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> query, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await query((NpgsqlConnection)db.Database.GetDbConnection(),
                db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>video_id, title, published_at from column <paramref name="first"/> on.</summary>
    private static LatestVideo ReadVideo(NpgsqlDataReader reader, int first) =>
        LatestVideo.Create(reader.GetString(first), reader.GetString(first + 1), reader.GetFieldValue<DateTimeOffset>(first + 2));

    private static async Task<StoredChannel> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string channelId, CancellationToken cancellationToken)
    {
        var videos = new List<LatestVideo>(LatestVideo.Count);
        await using (var latest = new NpgsqlCommand(LatestSql, connection, transaction))
        {
            latest.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
            await using var reader = await latest.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                videos.Add(ReadVideo(reader, first: 0));
            }
        }

        if (videos.Count > 0)
        {
            return new(ChannelState.Stored, videos);
        }

        // A second round trip only for the rare empty answer: "no videos", "unknown" and "deleted" differ.
        await using var state = new NpgsqlCommand(ChannelStateSql, connection, transaction);
        state.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
        return await state.ExecuteScalarAsync(cancellationToken) switch
        {
            true => new(ChannelState.Stored, videos),
            false => new(ChannelState.Deleted, videos),
            _ => new(ChannelState.Unknown, videos),
        };
    }
}
