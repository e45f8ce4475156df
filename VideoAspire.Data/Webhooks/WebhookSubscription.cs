namespace VideoAspire.Data.Webhooks;

/// <summary>
/// A caller's webhook endpoint: the channels (and kinds) whose stored changes it is sent, signed with its secret.
/// Nothing but its verification event is sent until the endpoint has echoed that event's challenge
/// (<see cref="SubscriptionStatus.Pending"/> → <see cref="SubscriptionStatus.Active"/>).
/// </summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }

    /// <summary>Who created it (the token's subject): the only caller that sees or changes it.</summary>
    public required string Owner { get; set; }

    public required string Url { get; set; }

    /// <summary>Kind names (<c>videos</c>, <c>shorts</c>, <c>live</c>); empty: every upload, of known kind or not.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary>The Standard Webhooks signing secret (<c>whsec_…</c>).</summary>
    public required string Secret { get; set; }

    /// <summary>The secret before the last rotation, which also signs until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>One of <see cref="SubscriptionStatus"/>.</summary>
    public required string Status { get; set; }

    /// <summary>Why it is <see cref="SubscriptionStatus.Disabled"/>.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>Since when every attempt failed (null after a success): past <c>Notifications:DisableAfter</c>, disabled.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public List<WebhookSubscriptionChannel> Channels { get; set; } = [];
}
