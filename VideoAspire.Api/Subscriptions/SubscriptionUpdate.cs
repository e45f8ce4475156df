using System.Text.Json.Serialization;

namespace VideoAspire.Api.Subscriptions;

/// <summary>Body of <c>PATCH /subscriptions/{id}</c>: what is given changes, what is left out stays.</summary>
/// <param name="Enabled"><c>true</c> turns a disabled subscription on again (verified again first).</param>
public sealed record SubscriptionUpdate(
    [property: JsonPropertyName("channel_ids")] string[]? ChannelIds,
    [property: JsonPropertyName("kinds")] string[]? Kinds,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("enabled")] bool? Enabled);
