namespace VideoAspire.Data;

/// <summary>
/// What was last asked of YouTube's WebSub hub for a channel, and what the hub confirmed. A subscription is live
/// while <see cref="Mode"/> is "subscribe" and <see cref="LeaseExpiresAt"/> is in the future.
/// </summary>
public sealed class WebSubSubscription
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";

    public required string ChannelId { get; set; }

    /// <summary>The last mode requested: <see cref="Subscribe"/> or <see cref="Unsubscribe"/>.</summary>
    public required string Mode { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>
    /// The unguessable last segment of the callback URL the hub was given for this channel (kept for renewals and the
    /// unsubscription: the hub knows a subscription by topic and callback). Only the hub knows it, so only the hub can
    /// verify an intent or deliver a notification for the channel.
    /// </summary>
    public required string CallbackToken { get; set; }

    /// <summary>The lease asked for with the last request: a verification that grants more is held to it.</summary>
    public int RequestedLeaseSeconds { get; set; }

    /// <summary>When the hub last verified our intent (its challenge answered), for the current mode.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>End of the lease the hub granted; null until the first verification.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Times the lease was renewed before it ran out.</summary>
    public int Renewals { get; set; }

    public DateTimeOffset? LastNotifiedAt { get; set; }

    public Channel? Channel { get; set; }
}
