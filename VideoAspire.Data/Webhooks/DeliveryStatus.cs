namespace VideoAspire.Data.Webhooks;

/// <summary>Where one webhook message stands.</summary>
public static class DeliveryStatus
{
    /// <summary>Waiting for its next attempt (or being attempted).</summary>
    public const string Pending = "pending";

    /// <summary>An attempt was answered with 2xx (a verification: and echoed the challenge).</summary>
    public const string Delivered = "delivered";

    /// <summary>Every attempt of the retry schedule failed; <c>POST …/retry</c> sends it once more.</summary>
    public const string Failed = "failed";

    /// <summary>Not sent: its caller's deliveries of the day were used up, or its event was pruned before it went out.</summary>
    public const string Dropped = "dropped";
}
