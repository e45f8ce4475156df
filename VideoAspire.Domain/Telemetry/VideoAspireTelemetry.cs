using System.Diagnostics;
using System.Diagnostics.Metrics;
using VideoAspire.Domain;

namespace VideoAspire.Telemetry;

/// <summary>The trace source and meters every part reports to; names start with "VideoAspire." so ServiceDefaults exports them.</summary>
public static class VideoAspireTelemetry
{
    public const string Name = "VideoAspire.Videos";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> TokenCacheLookups =
        Meter.CreateCounter<long>("videoaspire.auth.token_cache_lookups", unit: "{lookup}",
            description: "Bearer tokens looked up in the validated-token cache, by outcome (hit: no signature check)");

    public static readonly Counter<long> CacheHits =
        Meter.CreateCounter<long>("videoaspire.cache.hits", description: "Latest-five lookups answered by Redis");

    public static readonly Counter<long> CacheMisses =
        Meter.CreateCounter<long>("videoaspire.cache.misses", description: "Latest-five lookups Redis could not answer");

    public static readonly Counter<long> CacheErrors =
        Meter.CreateCounter<long>("videoaspire.cache.errors", description: "Redis operations that failed and were degraded around");

    public static readonly Counter<long> OutputCacheHits =
        Meter.CreateCounter<long>("videoaspire.output_cache.hits", description: "Whole responses served from the output cache, by level (memory, redis)");

    public static readonly Counter<long> OutputCacheMisses =
        Meter.CreateCounter<long>("videoaspire.output_cache.misses", description: "Output-cache lookups neither level could answer");

    public static readonly Counter<long> DatabaseQueries =
        Meter.CreateCounter<long>("videoaspire.db.queries", description: "Latest-five queries sent to PostgreSQL");

    public static readonly Counter<long> UpstreamCalls =
        Meter.CreateCounter<long>("videoaspire.upstream.calls", description: "Calls to YouTube, by source, purpose (listing: a channel's videos; resolve: which channel a handle or URL names) and outcome");

    /// <summary>
    /// Kind playlists read (tags: kind; outcome found, missing — YouTube has no such playlist — or vanished — it has none
    /// although videos of that kind were seen there before). The per-kind playlists are not documented: "vanished", or
    /// "missing" for nearly every channel, says the scheme stopped working (alerts in deploy/prometheus/alerts.yml).
    /// </summary>
    public static readonly Counter<long> KindPlaylists =
        Meter.CreateCounter<long>("videoaspire.upstream.kind_playlists", description: "Kind playlists read from YouTube, by kind and outcome");

    public static void RecordKindPlaylist(VideoKind kind, string outcome) => KindPlaylists.Add(1,
        new KeyValuePair<string, object?>("kind", kind.Name()), new KeyValuePair<string, object?>("outcome", outcome));

    public static readonly Counter<long> QuotaUnits =
        Meter.CreateCounter<long>("videoaspire.upstream.quota_units", unit: "{unit}",
            description: "YouTube Data API quota units spent, by payer (caller: a cold lookup; service: the scheduled refresh)");

    public static readonly Counter<long> QuotaRefusals =
        Meter.CreateCounter<long>("videoaspire.upstream.quota_refusals", unit: "{call}",
            description: "Data API calls not made for a quota limit, by payer and limit (day, callers: their share of the day, caller: one caller's units)");

    public static readonly Histogram<double> HandoffLag =
        Meter.CreateHistogram<double>("videoaspire.handoff.lag", unit: "s", description: "Time from hand-off by the Api to persistence by the Worker");

    public static readonly UpDownCounter<long> PendingEvictions =
        Meter.CreateUpDownCounter<long>("videoaspire.cache.evictions_pending", description: "Cache evictions after a write that failed and wait to be retried");

    public static readonly Counter<long> HandoffDeadLettered =
        Meter.CreateCounter<long>("videoaspire.handoff.dead_lettered", description: "Hand-off entries moved to the dead-letter stream (unreadable, refused, or out of deliveries)");

    public static readonly Counter<long> HandoffFallbacks =
        Meter.CreateCounter<long>("videoaspire.handoff.fallbacks", description: "Snapshots persisted in-process because the hand-off was unavailable");

    public static readonly Counter<long> WebSubNotifications =
        Meter.CreateCounter<long>("videoaspire.websub.notifications",
            description: "WebSub notifications received, by outcome (accepted, bad-signature, malformed, too-large, not-subscribed)");

    public static readonly Counter<long> WebSubLeaseRenewals =
        Meter.CreateCounter<long>("videoaspire.websub.lease_renewals", description: "WebSub subscriptions renewed before their lease ran out");

    public static readonly Counter<long> WebSubRequests =
        Meter.CreateCounter<long>("videoaspire.websub.hub_requests", description: "Subscribe and unsubscribe requests sent to the hub, by mode and outcome");

    public static readonly Histogram<double> WebSubFreshness =
        Meter.CreateHistogram<double>("videoaspire.websub.freshness", unit: "s",
            description: "Seconds from a pushed new upload's publish time to its being stored, readable by the next request");

    /// <summary>Live subscriptions, as last counted by the subscription job (on the replica that ran it).</summary>
    private static long activeWebSubSubscriptions = -1;

    private static readonly ObservableGauge<long> ActiveWebSubSubscriptionsGauge = Meter.CreateObservableGauge(
        "videoaspire.websub.subscriptions_active",
        () => Volatile.Read(ref activeWebSubSubscriptions) is var count and >= 0 ? [new Measurement<long>(count)] : Array.Empty<Measurement<long>>(),
        description: "WebSub subscriptions with a live lease (reported by the Worker that last ran the subscription job)");

    public static void ReportActiveWebSubSubscriptions(long count) => Volatile.Write(ref activeWebSubSubscriptions, count);

    /// <summary>Live streams open on this instance, as the stream endpoint counts them.</summary>
    private static long openStreams;

    private static readonly ObservableGauge<long> OpenStreamsGauge = Meter.CreateObservableGauge(
        "videoaspire.streams.open", () => Volatile.Read(ref openStreams), unit: "{stream}",
        description: "Live streams (GET /videos/stream) open on this instance");

    public static void ReportOpenStreams(long count) => Volatile.Write(ref openStreams, count);

    public static readonly Counter<long> WebhookDeliveries =
        Meter.CreateCounter<long>("videoaspire.webhooks.deliveries", unit: "{message}",
            description: "Webhook messages settled, by outcome (delivered, failed: the schedule is spent, dropped: the caller's day is used up or the event expired) and type");

    public static readonly Histogram<double> WebhookAttempts =
        Meter.CreateHistogram<double>("videoaspire.webhooks.attempt_duration", unit: "s",
            description: "Webhook attempts and how long each took, by outcome (success, http-error, timeout, refused, network)");

    public static readonly Histogram<double> WebhookLag =
        Meter.CreateHistogram<double>("videoaspire.webhooks.lag", unit: "s",
            description: "Seconds from an event's commit to its webhook's successful delivery");

    private static long webhookBacklog = -1;
    private static double webhookBacklogAge;
    private static long webhookEndpointsDisabled = -1;

    private static readonly ObservableGauge<long> WebhookBacklogGauge = Meter.CreateObservableGauge(
        "videoaspire.webhooks.backlog",
        () => Volatile.Read(ref webhookBacklog) is var count and >= 0 ? [new Measurement<long>(count)] : Array.Empty<Measurement<long>>(),
        unit: "{message}", description: "Webhook messages due and not yet sent (as the Worker last counted them)");

    private static readonly ObservableGauge<double> WebhookBacklogAgeGauge = Meter.CreateObservableGauge(
        "videoaspire.webhooks.backlog_age",
        () => Volatile.Read(ref webhookBacklog) >= 0 ? [new Measurement<double>(Volatile.Read(ref webhookBacklogAge))] : Array.Empty<Measurement<double>>(),
        unit: "s", description: "How long the oldest due webhook message has waited");

    private static readonly ObservableGauge<long> WebhookEndpointsDisabledGauge = Meter.CreateObservableGauge(
        "videoaspire.webhooks.endpoints_disabled",
        () => Volatile.Read(ref webhookEndpointsDisabled) is var count and >= 0 ? [new Measurement<long>(count)] : Array.Empty<Measurement<long>>(),
        unit: "{subscription}", description: "Webhook subscriptions disabled (verification failed, or failing past Notifications:DisableAfter)");

    public static void ReportWebhookBacklog(long due, TimeSpan oldest, long disabled)
    {
        Volatile.Write(ref webhookBacklogAge, oldest.TotalSeconds);
        Volatile.Write(ref webhookBacklog, due);
        Volatile.Write(ref webhookEndpointsDisabled, disabled);
    }
}
