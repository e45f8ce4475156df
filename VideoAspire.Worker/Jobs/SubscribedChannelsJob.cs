using Microsoft.EntityFrameworkCore;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// A channel someone has a webhook subscription to counts as read: its <c>last_accessed_at</c> is kept recent, so the
/// scheduled refresh, the cache re-warming and the WebSub subscription treat it as they treat a channel people read.
/// Only rows older than half the interval are touched, so a run writes little.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SubscribedChannelsJob(VideosDbContext db, TimeProvider timeProvider) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var before = now - TimeSpan.FromMinutes(1);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE channels c SET last_accessed_at = {now}
            FROM (SELECT DISTINCT sc.channel_id FROM webhook_subscription_channels sc
                  JOIN webhook_subscriptions s ON s.id = sc.subscription_id
                  WHERE s.status <> {SubscriptionStatus.Disabled}) AS subscribed
            WHERE c.id = subscribed.channel_id AND (c.last_accessed_at IS NULL OR c.last_accessed_at < {before})
            """, cancellationToken);
    }
}
