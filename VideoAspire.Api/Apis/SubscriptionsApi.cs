using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Api.Subscriptions;
using VideoAspire.Api.Videos;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Api.Apis;

/// <summary>
/// Webhook subscriptions: signed Standard Webhooks messages for the new, updated and deleted videos of chosen channels,
/// delivered by the Worker. A caller sees and changes only its own (the token's subject): another's id is a 404.
/// </summary>
public static class SubscriptionsApi
{
    public const int MaxDeliveriesListed = 100;

    public static RouteGroupBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/subscriptions")
            .WithTags("Subscriptions")
            .RequireAuthorization(Scopes.SubscribePolicy)
            .RequireRateLimiting(RateLimitingOptions.PolicyName)
            .WithMetadata(new RequestSizeLimitAttribute(64 * 1024));

        api.MapPost("", Create)
            .WithName("CreateSubscription")
            .WithSummary("Subscribe an endpoint to channels' new, updated and deleted videos")
            .WithDescription("201 with the subscription and its signing secret (`whsec_…`, shown only here). Nothing is sent " +
                             "but a `webhook.verification` message until the endpoint answers it with 2xx and its `data.challenge` " +
                             "(the bare value, or `{\"challenge\": \"…\"}`). 422 past a limit (subscriptions per caller, channels per " +
                             "subscription); 400 for a URL that is not https or reaches a non-public address.")
            .Produces<SubscriptionResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("", List)
            .WithName("ListSubscriptions")
            .WithSummary("The caller's subscriptions");

        api.MapGet("/{id:guid}", Get)
            .WithName("GetSubscription")
            .WithSummary("One of the caller's subscriptions")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPatch("/{id:guid}", Update)
            .WithName("UpdateSubscription")
            .WithSummary("Change a subscription's channels, kinds or URL, or enable it again")
            .WithDescription("A new URL, or `enabled: true` on a disabled subscription, is verified again before anything else is sent.")
            .Produces<SubscriptionResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapDelete("/{id:guid}", Delete)
            .WithName("DeleteSubscription")
            .WithSummary("Delete a subscription and its pending messages")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/{id:guid}/secret", RotateSecret)
            .WithName("RotateSubscriptionSecret")
            .WithSummary("Replace the signing secret")
            .WithDescription("The new secret is in the answer (only there). Messages carry a signature with each secret until " +
                             "`previous_secret_expires_at` (`Notifications:SecretRotationGrace`, 1 day), so the receiver can switch at leisure.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/{id:guid}/deliveries", Deliveries)
            .WithName("ListSubscriptionDeliveries")
            .WithSummary($"The subscription's latest messages (up to {MaxDeliveriesListed}), newest first, with their last attempt")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/{id:guid}/deliveries/{deliveryId}/retry", Retry)
            .WithName("RetrySubscriptionDelivery")
            .WithSummary("Send a message once more, now (same webhook-id)")
            .WithDescription("202: due at once (an event's message once the subscription is active; a verification's at once). " +
                             "409 while the subscription is disabled. 429 when the caller's deliveries of the day are used up.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    public static async Task<IResult> Create(SubscriptionRequest body, HttpContext context, VideosDbContext db, EndpointUrlPolicy urls,
        ReadPath reads, IOptions<NotificationOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var channels = SubscriptionValidation.Channels(body.ChannelIds, errors);
        var kinds = SubscriptionValidation.Kinds(body.Kinds, errors);
        if (string.IsNullOrWhiteSpace(body.Url))
        {
            errors["url"] = ["The endpoint's URL is required."];
        }
        else if (await urls.RefusalAsync(body.Url, cancellationToken) is { } refusal)
        {
            errors["url"] = [refusal];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var limits = options.Value;
        if (SubscriptionValidation.TooManyChannels(channels, limits) is { } tooMany)
        {
            return tooMany;
        }

        var owner = Owner(context);
        if (await db.WebhookSubscriptions.CountAsync(s => s.Owner == owner, cancellationToken) >= limits.MaxSubscriptionsPerCaller)
        {
            return SubscriptionValidation.Limit("Too many subscriptions",
                $"A caller has at most {limits.MaxSubscriptionsPerCaller} subscriptions: delete one first.");
        }

        if (await ReadChannelsAsync(channels, reads, Caller.Of(context), cancellationToken) is { } unreadable)
        {
            return unreadable;
        }

        var now = time.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(now),
            Owner = owner,
            Url = body.Url!,
            Kinds = kinds,
            Secret = WebhookSecret.Create(),
            Status = SubscriptionStatus.Pending,
            CreatedAt = now,
            Channels = [.. channels.Select(id => new WebhookSubscriptionChannel { ChannelId = id })],
        };
        db.WebhookSubscriptions.Add(subscription);
        db.WebhookDeliveries.Add(WebhookDelivery.Verification(subscription.Id, now));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/subscriptions/{subscription.Id}", SubscriptionResponse.From(subscription, withSecret: true));
    }

    public static async Task<Ok<SubscriptionResponse[]>> List(HttpContext context, VideosDbContext db, CancellationToken cancellationToken)
    {
        var owner = Owner(context);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Include(s => s.Channels)
            .Where(s => s.Owner == owner).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(subscriptions.Select(s => SubscriptionResponse.From(s)).ToArray());
    }

    public static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> Get(Guid id, HttpContext context, VideosDbContext db,
        CancellationToken cancellationToken) =>
        await FindAsync(db, id, context, cancellationToken) is { } subscription
            ? TypedResults.Ok(SubscriptionResponse.From(subscription))
            : NotFound(id);

    public static async Task<IResult> Update(Guid id, SubscriptionUpdate body, HttpContext context, VideosDbContext db, EndpointUrlPolicy urls,
        ReadPath reads, IOptions<NotificationOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, context, cancellationToken, tracked: true) is not { } subscription)
        {
            return NotFound(id);
        }

        var errors = new Dictionary<string, string[]>();
        var channels = body.ChannelIds is null ? null : SubscriptionValidation.Channels(body.ChannelIds, errors);
        var kinds = body.Kinds is null ? null : SubscriptionValidation.Kinds(body.Kinds, errors);
        if (body.Url is not null && await urls.RefusalAsync(body.Url, cancellationToken) is { } refusal)
        {
            errors["url"] = [refusal];
        }

        if (body.Enabled == false)
        {
            errors["enabled"] = ["Only true (enable again) can be asked; to stop deliveries, delete the subscription."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (channels is not null)
        {
            if (SubscriptionValidation.TooManyChannels(channels, options.Value) is { } tooMany)
            {
                return tooMany;
            }

            var added = channels.Except(subscription.Channels.Select(c => c.ChannelId), StringComparer.Ordinal).ToArray();
            if (await ReadChannelsAsync(added, reads, Caller.Of(context), cancellationToken) is { } unreadable)
            {
                return unreadable;
            }

            subscription.Channels.RemoveAll(c => !channels.Contains(c.ChannelId, StringComparer.Ordinal));
            subscription.Channels.AddRange(added.Select(channelId => new WebhookSubscriptionChannel { ChannelId = channelId }));
        }

        if (kinds is not null)
        {
            subscription.Kinds = kinds;
        }

        var now = time.GetUtcNow();
        var reverify = body.Url is not null && body.Url != subscription.Url || body.Enabled == true && subscription.Status == SubscriptionStatus.Disabled;
        if (reverify)
        {
            subscription.Url = body.Url ?? subscription.Url;
            subscription.Status = SubscriptionStatus.Pending;
            subscription.DisabledReason = null;
            subscription.FailingSince = null;
            subscription.VerifiedAt = null;
            db.WebhookDeliveries.Add(WebhookDelivery.Verification(subscription.Id, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(SubscriptionResponse.From(subscription));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, HttpContext context, VideosDbContext db,
        CancellationToken cancellationToken)
    {
        var owner = Owner(context);
        var deleted = await db.WebhookSubscriptions.Where(s => s.Id == id && s.Owner == owner).ExecuteDeleteAsync(cancellationToken);
        return deleted > 0 ? TypedResults.NoContent() : NotFound(id);
    }

    public static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> RotateSecret(Guid id, HttpContext context, VideosDbContext db,
        IOptions<NotificationOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, context, cancellationToken, tracked: true) is not { } subscription)
        {
            return NotFound(id);
        }

        subscription.PreviousSecret = subscription.Secret;
        subscription.PreviousSecretExpiresAt = time.GetUtcNow() + options.Value.SecretRotationGrace;
        subscription.Secret = WebhookSecret.Create();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(SubscriptionResponse.From(subscription, withSecret: true));
    }

    public static async Task<Results<Ok<DeliveryResponse[]>, ProblemHttpResult>> Deliveries(Guid id, HttpContext context, VideosDbContext db,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, context, cancellationToken) is null)
        {
            return NotFound(id);
        }

        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == id)
            .OrderByDescending(d => d.Id)
            .Take(MaxDeliveriesListed)
            .Select(d => new { Delivery = d, Type = db.VideoEvents.Where(e => e.Id == d.EventId).Select(e => e.Type).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(deliveries.Select(d => DeliveryResponse.From(d.Delivery, d.Type)).ToArray());
    }

    public static async Task<IResult> Retry(Guid id, string deliveryId, HttpContext context, VideosDbContext db,
        IOptions<NotificationOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, context, cancellationToken) is not { } subscription
            || !deliveryId.StartsWith("msg_", StringComparison.Ordinal) || !long.TryParse(deliveryId.AsSpan(4), out var messageId))
        {
            return NotFound(id);
        }

        if (subscription.Status == SubscriptionStatus.Disabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Subscription disabled",
                detail: "The subscription is disabled: enable it (PATCH enabled: true) before retrying.");
        }

        var now = time.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var used = await db.Set<WebhookUsage>().Where(u => u.Owner == subscription.Owner && u.Day == day)
            .Select(u => u.Deliveries).FirstOrDefaultAsync(cancellationToken);
        if (used >= options.Value.DeliveriesPerCallerPerDay)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling((day.AddDays(1).ToDateTime(TimeOnly.MinValue) - now.UtcDateTime).TotalSeconds))
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Deliveries of the day used up",
                detail: $"A caller is sent at most {options.Value.DeliveriesPerCallerPerDay} messages a day (UTC).");
        }

        // Counted against the day by the Worker only for a first send: a retry asked for counts here.
        var requeued = await db.WebhookDeliveries
            .Where(d => d.Id == messageId && d.SubscriptionId == id)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DeliveryStatus.Pending).SetProperty(x => x.NextAttemptAt, now), cancellationToken);
        if (requeued == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"The subscription has no message '{deliveryId}'.");
        }

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO webhook_usage (owner, day, deliveries) VALUES ({subscription.Owner}, {day}, 1)
            ON CONFLICT (owner, day) DO UPDATE SET deliveries = webhook_usage.deliveries + 1
            """, cancellationToken);
        return TypedResults.Accepted($"/subscriptions/{id}/deliveries");
    }

    /// <summary>Every channel read once as a read would (stored, or fetched now): a subscription's channels are read channels.</summary>
    private static async Task<IResult?> ReadChannelsAsync(string[] channels, ReadPath reads, Caller caller, CancellationToken cancellationToken)
    {
        foreach (var channelId in channels)
        {
            switch (await reads.GetAsync(channelId, VideoKind.All, wait: false, caller, cancellationToken))
            {
                case VideosLookup.NotFound or VideosLookup.Deleted:
                    return SubscriptionValidation.Limit("Unknown channel", $"YouTube has no channel '{channelId}'.");
                case VideosLookup.Unavailable:
                    return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "YouTube unavailable",
                        detail: $"'{channelId}' cannot be looked up right now. Retry later.");
                case VideosLookup.Throttled throttled:
                    return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many new channels",
                        detail: $"This caller's lookups of channels not yet stored are used up for now; retry in {throttled.RetryAfter.TotalSeconds:0} s.");
            }
        }

        return null;
    }

    private static string Owner(HttpContext context) => context.User.FindFirst("sub")!.Value; // the policy requires it

    private static Task<WebhookSubscription?> FindAsync(VideosDbContext db, Guid id, HttpContext context, CancellationToken cancellationToken,
        bool tracked = false)
    {
        var owner = Owner(context);
        var query = db.WebhookSubscriptions.Include(s => s.Channels).Where(s => s.Id == id && s.Owner == owner);
        return (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Another caller's subscription is not found either: its existence is not told.</summary>
    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Subscription not found",
            detail: $"You have no subscription '{id}'.");
}
