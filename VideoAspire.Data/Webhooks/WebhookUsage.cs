namespace VideoAspire.Data.Webhooks;

/// <summary>Deliveries sent for a caller on a day (UTC), against <c>Notifications:DeliveriesPerCallerPerDay</c>.</summary>
public sealed class WebhookUsage
{
    public required string Owner { get; set; }

    public DateOnly Day { get; set; }

    public int Deliveries { get; set; }
}
