namespace VideoAspire.Data.Webhooks;

/// <summary>
/// One message to one subscription: an outbox event, or the endpoint's verification. Its id is the message's
/// <c>webhook-id</c> (<see cref="MessageId"/>), the same on every attempt, so receivers can drop a duplicate. While it
/// is being sent, <see cref="NextAttemptAt"/> is pushed past the attempt's end: that is the lease that keeps other
/// Worker replicas off it, and what hands it to them if this one dies mid-attempt.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public Guid SubscriptionId { get; set; }

    /// <summary>The outbox event (<c>video_events</c>) it carries; null for a verification.</summary>
    public long? EventId { get; set; }

    /// <summary>The verification challenge the endpoint must echo; null for an event.</summary>
    public string? Challenge { get; set; }

    /// <summary>One of <see cref="DeliveryStatus"/>.</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public int? LastStatusCode { get; set; }

    public int? LastLatencyMs { get; set; }

    public string? LastError { get; set; }

    public WebhookSubscription? Subscription { get; set; }

    /// <summary>The <c>type</c> of a verification message.</summary>
    public const string VerificationType = "webhook.verification";

    public string MessageId => MessageIdOf(Id);

    public static string MessageIdOf(long id) => "msg_" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new verification message for a subscription's current URL: due now, with a fresh challenge.</summary>
    public static WebhookDelivery Verification(Guid subscriptionId, DateTimeOffset now) => new()
    {
        SubscriptionId = subscriptionId,
        Challenge = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
        Status = DeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}
