namespace VideoAspire.Data.Webhooks;

/// <summary>Where a webhook subscription stands.</summary>
public static class SubscriptionStatus
{
    /// <summary>Created, or its URL changed: only the verification event is sent until its challenge comes back.</summary>
    public const string Pending = "pending";

    /// <summary>Verified: events are delivered.</summary>
    public const string Active = "active";

    /// <summary>Verification failed, or the endpoint kept failing past <c>Notifications:DisableAfter</c>; nothing is sent.</summary>
    public const string Disabled = "disabled";
}
