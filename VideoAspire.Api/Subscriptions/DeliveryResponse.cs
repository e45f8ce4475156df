using System.Text.Json.Serialization;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Api.Subscriptions;

/// <summary>One message to a subscription and its latest attempt.</summary>
/// <param name="Id">The message's <c>webhook-id</c> header, the same on every attempt.</param>
public sealed record DeliveryResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("event_id")] long? EventId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("next_attempt_at")] DateTimeOffset? NextAttemptAt,
    [property: JsonPropertyName("last_attempt_at")] DateTimeOffset? LastAttemptAt,
    [property: JsonPropertyName("last_status_code")] int? LastStatusCode,
    [property: JsonPropertyName("last_latency_ms")] int? LastLatencyMs,
    [property: JsonPropertyName("last_error")] string? LastError)
{
    public static DeliveryResponse From(WebhookDelivery delivery, string? eventType) => new(
        delivery.MessageId, delivery.Challenge is not null ? WebhookDelivery.VerificationType : eventType ?? "expired", delivery.EventId,
        delivery.Status, delivery.Attempts, delivery.CreatedAt,
        delivery.Status == DeliveryStatus.Pending ? delivery.NextAttemptAt : null, delivery.LastAttemptAt,
        delivery.LastStatusCode, delivery.LastLatencyMs, delivery.LastError);
}
