using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Data;
using VideoAspire.Telemetry;
using VideoAspire.Worker.WebSub;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Worker.Jobs;

/// <summary>
/// Keeps a WebSub subscription for every channel read within the subscribe window: subscribes new ones, renews leases
/// before they run out, asks again when the hub never verified, and unsubscribes channels nobody reads any more (or that
/// were deleted). Once per cluster (Quartz's clustered store); the state lives in PostgreSQL.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class WebSubSubscriptionJob(
    VideosDbContext db,
    WebSubHubClient hub,
    TimeProvider timeProvider,
    IOptions<WebSubOptions> options,
    ILogger<WebSubSubscriptionJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("keep WebSub subscriptions");
        var now = timeProvider.GetUtcNow();
        var since = now - settings.SubscribeWindow;
        var retryBefore = now - settings.PendingTimeout;

        // Read recently and not subscribed, no longer subscribed, never verified, or with a lease running out. A request
        // still waiting for its verification is left alone for PendingTimeout.
        var renewBy = now + settings.RenewBefore;
        var toSubscribe = await db.Channels
            .Where(c => c.DeletedAt == null && c.LastAccessedAt >= since)
            .LeftJoin(db.WebSubSubscriptions, c => c.Id, s => s.ChannelId, (c, s) => new { c.Id, c.LastAccessedAt, Subscription = s })
            .Where(x => x.Subscription == null || x.Subscription.Mode == WebSubSubscription.Unsubscribe
                        || (x.Subscription.RequestedAt < retryBefore
                            && (x.Subscription.LeaseExpiresAt == null || x.Subscription.LeaseExpiresAt < renewBy)))
            .OrderBy(x => x.Subscription == null || x.Subscription.LeaseExpiresAt == null ? 0 : 1) // never subscribed first
            .ThenBy(x => x.Subscription!.LeaseExpiresAt)
            .ThenByDescending(x => x.LastAccessedAt) // more due than one run asks for: the channels read last first
            .Select(x => new { ChannelId = x.Id, LeaseExpiresAt = x.Subscription == null ? null : x.Subscription.LeaseExpiresAt })
            .Take(settings.RequestsPerRun)
            .ToListAsync(cancellationToken);

        var subscribed = 0;
        var renewed = 0;
        foreach (var due in toSubscribe)
        {
            var renewal = due.LeaseExpiresAt > now;
            // Recorded before asking: the hub may call back before its answer to us arrives.
            await RecordRequestAsync(due.ChannelId, WebSubSubscription.Subscribe, renewal, now, cancellationToken);
            if (await hub.RequestAsync(WebSubSubscription.Subscribe, due.ChannelId, cancellationToken))
            {
                subscribed++;
                renewed += renewal ? 1 : 0;
            }
        }

        var toUnsubscribe = await db.WebSubSubscriptions
            .Where(s => s.Mode == WebSubSubscription.Subscribe
                        && (s.Channel!.DeletedAt != null || s.Channel.LastAccessedAt == null || s.Channel.LastAccessedAt < since))
            .Select(s => s.ChannelId)
            .Take(Math.Max(0, settings.RequestsPerRun - toSubscribe.Count))
            .ToListAsync(cancellationToken);
        foreach (var channelId in toUnsubscribe)
        {
            await RecordRequestAsync(channelId, WebSubSubscription.Unsubscribe, renewal: false, now, cancellationToken);
            await hub.RequestAsync(WebSubSubscription.Unsubscribe, channelId, cancellationToken);
        }

        // An unsubscription the hub never confirmed ends with its lease anyway: forget it then.
        await db.WebSubSubscriptions
            .Where(s => s.Mode == WebSubSubscription.Unsubscribe && s.RequestedAt < retryBefore && (s.LeaseExpiresAt == null || s.LeaseExpiresAt < now))
            .ExecuteDeleteAsync(cancellationToken);

        VideoAspireTelemetry.WebSubLeaseRenewals.Add(renewed); // also when 0: the series exists from the first run
        var active = await db.WebSubSubscriptions.CountAsync(s => s.Mode == WebSubSubscription.Subscribe && s.LeaseExpiresAt > now, cancellationToken);
        VideoAspireTelemetry.ReportActiveWebSubSubscriptions(active);
        activity?.SetTag("videoaspire.websub.active", active);
        if (toSubscribe.Count + toUnsubscribe.Count > 0)
        {
            LogRun(subscribed - renewed, renewed, toUnsubscribe.Count, active);
        }
    }

    private Task RecordRequestAsync(string channelId, string mode, bool renewal, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO websub_subscriptions (channel_id, mode, requested_at, renewals)
            VALUES ({channelId}, {mode}, {now}, 0)
            ON CONFLICT (channel_id) DO UPDATE
            SET mode = EXCLUDED.mode, requested_at = EXCLUDED.requested_at,
                renewals = websub_subscriptions.renewals + {(renewal ? 1 : 0)}
            """, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "WebSub: asked to subscribe {Subscribed} channels, renew {Renewed}, unsubscribe {Unsubscribed}; {Active} live subscriptions")]
    private partial void LogRun(int subscribed, int renewed, int unsubscribed, int active);
}
