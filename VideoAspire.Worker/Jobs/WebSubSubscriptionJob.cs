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
            var token = await RecordRequestAsync(due.ChannelId, WebSubSubscription.Subscribe, renewal, now, settings.LeaseSeconds, cancellationToken);
            if (await hub.RequestAsync(WebSubSubscription.Subscribe, due.ChannelId, token, cancellationToken))
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
            var token = await RecordRequestAsync(channelId, WebSubSubscription.Unsubscribe, renewal: false, now, settings.LeaseSeconds, cancellationToken);
            await hub.RequestAsync(WebSubSubscription.Unsubscribe, channelId, token, cancellationToken);
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

    /// <returns>The channel's callback token: a new one for a channel without a subscription row, else the one the hub
    /// already knows.</returns>
    private async Task<string> RecordRequestAsync(
        string channelId, string mode, bool renewal, DateTimeOffset now, int leaseSeconds, CancellationToken cancellationToken)
    {
        var fresh = WebSubCallbackToken.New();
        var tokens = await db.Database.SqlQuery<string>($"""
            INSERT INTO websub_subscriptions (channel_id, mode, requested_at, renewals, callback_token, requested_lease_seconds)
            VALUES ({channelId}, {mode}, {now}, 0, {fresh}, {leaseSeconds})
            ON CONFLICT (channel_id) DO UPDATE
            SET mode = EXCLUDED.mode, requested_at = EXCLUDED.requested_at,
                requested_lease_seconds = EXCLUDED.requested_lease_seconds,
                renewals = websub_subscriptions.renewals + {(renewal ? 1 : 0)}
            RETURNING callback_token AS "Value"
            """).ToListAsync(cancellationToken);
        return tokens[0];
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "WebSub: asked to subscribe {Subscribed} channels, renew {Renewed}, unsubscribe {Unsubscribed}; {Active} live subscriptions")]
    private partial void LogRun(int subscribed, int renewed, int unsubscribed, int active);
}
