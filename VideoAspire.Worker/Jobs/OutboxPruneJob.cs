using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Keeps the outbox bounded: deletes events older than <see cref="WorkerOptions.EventRetention"/>, oldest first, a
/// bounded batch per run (the outbox grows with every change to a stored video, and is read only near its end). Only
/// the oldest rows by id are looked at, so a run reads a range of the primary key, never the whole table. Settled
/// webhook messages (the delivery log) and past days' delivery counts go the same way.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class OutboxPruneJob(VideosDbContext db, TimeProvider timeProvider, IOptions<WorkerOptions> options, ILogger<OutboxPruneJob> logger) : IJob
{
    /// <summary>Rows deleted per run at most: one short statement, whatever the backlog.</summary>
    public const int BatchSize = 50_000;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var before = timeProvider.GetUtcNow() - options.Value.EventRetention;
        var deleted = await db.Database.ExecuteSqlAsync($"""
            DELETE FROM video_events WHERE id IN (
                SELECT id FROM (SELECT id, occurred_at FROM video_events ORDER BY id LIMIT {BatchSize}) AS oldest
                WHERE occurred_at < {before})
            """, cancellationToken);
        deleted += await db.Database.ExecuteSqlAsync($"""
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM (SELECT id, status, created_at FROM webhook_deliveries ORDER BY id LIMIT {BatchSize}) AS oldest
                WHERE status <> {DeliveryStatus.Pending} AND created_at < {before})
            """, cancellationToken);
        var yesterday = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime).AddDays(-1);
        await db.Database.ExecuteSqlAsync($"DELETE FROM webhook_usage WHERE day < {yesterday}", cancellationToken);
        if (deleted > 0)
        {
            LogPruned(deleted, before);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} outbox events and settled webhook messages older than {Before:O}")]
    private partial void LogPruned(int count, DateTimeOffset before);
}
