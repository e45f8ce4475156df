using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace VideoAspire.Catalog.Data;

/// <summary>
/// The read the whole service exists for: a seek on ix_videos_channel_latest returning at most five rows.
/// Plain Npgsql rather than an EF Core query: it runs once per cache miss, and under load EF Core's compiled query was
/// seen building a delegate (DynamicMethod + JIT) per execution. With <c>Max Auto Prepare</c> the statement is prepared
/// once per pooled connection.
/// </summary>
public static class LatestVideosQuery
{
    private static readonly string LatestSql = $"""
        SELECT video_id, title, published_at FROM videos
        WHERE channel_id = $1
        ORDER BY published_at DESC, video_id DESC
        LIMIT {LatestVideo.Count}
        """;

    private const string ChannelExistsSql = "SELECT EXISTS (SELECT 1 FROM channels WHERE id = $1)";

    /// <summary>The channel's newest videos, or null when the channel is not stored at all (the Api's read path).</summary>
    public static async Task<IReadOnlyList<LatestVideo>?> GetLatestVideosAsync(
        this NpgsqlDataSource dataSource, string channelId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAsync(connection, transaction: null, channelId, cancellationToken);
    }

    /// <summary>The same, on the context's connection and inside its transaction, if any (the Worker, after writing).</summary>
    public static async Task<IReadOnlyList<LatestVideo>?> GetLatestVideosAsync(
        this VideosDbContext db, string channelId, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await ReadAsync((NpgsqlConnection)db.Database.GetDbConnection(),
                db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction, channelId, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<IReadOnlyList<LatestVideo>?> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string channelId, CancellationToken cancellationToken)
    {
        var videos = new List<LatestVideo>(LatestVideo.Count);
        await using (var latest = new NpgsqlCommand(LatestSql, connection, transaction))
        {
            latest.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
            await using var reader = await latest.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                videos.Add(LatestVideo.Create(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        if (videos.Count > 0)
        {
            return videos;
        }

        // A second round trip only for the rare empty answer: "no videos" and "unknown" differ (200 [] vs 404).
        await using var exists = new NpgsqlCommand(ChannelExistsSql, connection, transaction);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
        return await exists.ExecuteScalarAsync(cancellationToken) is true ? videos : null;
    }
}
