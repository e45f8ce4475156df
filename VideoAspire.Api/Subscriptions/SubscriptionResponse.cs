using System.Text.Json.Serialization;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Api.Subscriptions;

/// <summary>A subscription as its owner sees it; <see cref="Secret"/> only in the answer that created it or rotated it.</summary>
public sealed record SubscriptionResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("channel_ids")] IReadOnlyList<string> ChannelIds,
    [property: JsonPropertyName("kinds")] IReadOnlyList<string> Kinds,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("disabled_reason")] string? DisabledReason,
    [property: JsonPropertyName("failing_since")] DateTimeOffset? FailingSince,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("verified_at")] DateTimeOffset? VerifiedAt,
    [property: JsonPropertyName("previous_secret_expires_at")] DateTimeOffset? PreviousSecretExpiresAt,
    [property: JsonPropertyName("secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null)
{
    public static SubscriptionResponse From(WebhookSubscription subscription, bool withSecret = false) => new(
        subscription.Id, subscription.Url, [.. subscription.Channels.Select(c => c.ChannelId).Order(StringComparer.Ordinal)],
        subscription.Kinds, subscription.Status, subscription.DisabledReason, subscription.FailingSince, subscription.CreatedAt,
        subscription.VerifiedAt, subscription.PreviousSecretExpiresAt, withSecret ? subscription.Secret : null);
}
