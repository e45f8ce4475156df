using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VideoAspire.Catalog.Data;

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
            // One statement for the whole batch; never moves the mark backwards.
            var updated = await db.Database.ExecuteSqlAsync($"""
                UPDATE channels AS c
                SET last_accessed_at = GREATEST(c.last_accessed_at, a.accessed_at)
                FROM unnest({channelIds}::text[], {accessedAt}::timestamptz[]) AS a(id, accessed_at)
                WHERE c.id = a.id
                """, cancellationToken);
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
