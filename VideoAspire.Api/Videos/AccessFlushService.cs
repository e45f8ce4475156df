using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VideoAspire.Data;

namespace VideoAspire.Api.Videos;

/// <summary>Writes the tracker's batched access marks to channels.last_accessed_at.</summary>
public sealed partial class AccessFlushService(
    ChannelAccessTracker tracker,
    IServiceScopeFactory scopeFactory,
    IOptions<ApiOptions> options,
    ILogger<AccessFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AccessFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Shutting down: write what is left rather than lose it.
        await FlushAsync(CancellationToken.None);
    }

    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = tracker.TakeBatch();
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();
            var channelIds = batch.Keys.ToArray();
            var accessedAt = channelIds.Select(id => batch[id]).ToArray();
            // A mark is advisory: the Worker reads it in windows of an hour or a day. So one statement for the whole
            // batch, which never moves a mark backwards and leaves a row alone when its mark is less than a minute old
            // (a hot channel would otherwise cost a row version per flush); and a commit that does not wait for its WAL
            // to reach disk (waiting held the WAL flush lock through a large fsync, and every read that had to evict a
            // dirty buffer meanwhile stalled with it, 0.3-0.9 s at a time under load).
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit = off", cancellationToken);
            var updated = await db.Database.ExecuteSqlAsync($"""
                UPDATE channels AS c
                SET last_accessed_at = a.accessed_at
                FROM unnest({channelIds}::text[], {accessedAt}::timestamptz[]) AS a(id, accessed_at)
                WHERE c.id = a.id
                  AND (c.last_accessed_at IS NULL OR c.last_accessed_at < a.accessed_at - interval '1 minute')
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogFlushed(batch.Count, updated);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            tracker.Restore(batch);
            LogFlushFailed(ex, batch.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recorded access to {ChannelCount} channels ({UpdatedCount} stored)")]
    private partial void LogFlushed(int channelCount, int updatedCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record access to {ChannelCount} channels; will retry")]
    private partial void LogFlushFailed(Exception exception, int channelCount);
}
