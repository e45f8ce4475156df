namespace VideoAspire.Data.Webhooks;

/// <summary>One channel of a subscription: the fan-out finds an event's subscribers by channel through these rows.</summary>
public sealed class WebhookSubscriptionChannel
{
    public Guid SubscriptionId { get; set; }

    public required string ChannelId { get; set; }
}
