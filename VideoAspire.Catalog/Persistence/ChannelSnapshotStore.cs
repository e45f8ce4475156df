using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Telemetry;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Catalog.Persistence;

/// <summary>
/// Writes what YouTube said about a channel. Idempotent: the same snapshot written twice (a redelivered hand-off
/// message, a retried batch) leaves exactly the same rows, thanks to ON CONFLICT on the natural keys.
/// </summary>
public static class ChannelSnapshotStore
{
    private const int MaxTitleLength = 200;

    /// <remarks>
    /// A channel first stored by this call was just read by someone (that is why it was fetched), so its
    /// last_accessed_at starts at the fetch time; an existing channel keeps its own.
    /// </remarks>
    public static async Task<int> UpsertAsync(this VideosDbContext db, ChannelSnapshot snapshot, CancellationToken cancellationToken)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("upsert channel snapshot");
        activity?.SetTag("videoaspire.channel_id", snapshot.ChannelId);

        // Upstream data is untrusted: keep only rows that fit the schema.
        var videos = snapshot.Videos
            .Where(v => v.VideoId.Length == 11 && v.VideoId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            .DistinctBy(v => v.VideoId)
            .ToList();
        var ids = videos.Select(v => v.VideoId).ToArray();
        var titles = videos.Select(v => Truncate(v.Title)).ToArray();
        var published = videos.Select(v => v.PublishedAt.ToUniversalTime()).ToArray();
        var channelTitle = Truncate(snapshot.Title ?? "");
        var fetchedAt = snapshot.FetchedAt.ToUniversalTime();

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO channels (id, title, created_at, last_refreshed_at, last_accessed_at)
                VALUES ({snapshot.ChannelId}, {channelTitle}, now(), {fetchedAt}, {fetchedAt})
                ON CONFLICT (id) DO UPDATE
                SET title = COALESCE(NULLIF(EXCLUDED.title, ''), channels.title),
                    last_refreshed_at = GREATEST(channels.last_refreshed_at, EXCLUDED.last_refreshed_at)
                """, cancellationToken);
            var changed = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO videos (video_id, channel_id, title, published_at)
                SELECT v.video_id, {snapshot.ChannelId}, v.title, v.published_at
                FROM unnest({ids}::text[], {titles}::text[], {published}::timestamptz[]) AS v(video_id, title, published_at)
                ON CONFLICT (video_id) DO UPDATE
                SET channel_id = EXCLUDED.channel_id, title = EXCLUDED.title, published_at = EXCLUDED.published_at
                WHERE (videos.channel_id, videos.title, videos.published_at)
                      IS DISTINCT FROM (EXCLUDED.channel_id, EXCLUDED.title, EXCLUDED.published_at)
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            activity?.SetTag("videoaspire.changed_rows", changed);
            return changed;
        });
    }

    /// <summary>At most <see cref="MaxTitleLength"/> UTF-16 units, never half of a surrogate pair (PostgreSQL would refuse it).</summary>
    internal static string Truncate(string value) =>
        value.Length <= MaxTitleLength ? value
        : char.IsHighSurrogate(value[MaxTitleLength - 1]) ? value[..(MaxTitleLength - 1)]
        : value[..MaxTitleLength];
}
