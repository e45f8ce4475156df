namespace VideoAspire.Worker.Webhooks;

/// <summary>What became of one claimed message: settled (delivered, failed, dropped), scheduled again, or handed back untried.</summary>
/// <param name="Status">The message's new <see cref="Data.Webhooks.DeliveryStatus"/>.</param>
/// <param name="NextAttemptAt">When it is due again (a retry, or a hand-back); ignored once settled.</param>
/// <param name="Attempted">False for a message handed back or dropped without an attempt: its attempt count stays.</param>
public sealed record WebhookOutcome(
    WebhookMessage Message,
    string Status,
    DateTimeOffset NextAttemptAt,
    bool Attempted,
    DateTimeOffset At,
    int? StatusCode = null,
    int? LatencyMs = null,
    string? Error = null)
{
    public bool Succeeded => Status == Data.Webhooks.DeliveryStatus.Delivered;
}
