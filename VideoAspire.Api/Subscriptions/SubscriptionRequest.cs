using System.Text.Json.Serialization;

namespace VideoAspire.Api.Subscriptions;

/// <summary>Body of <c>POST /subscriptions</c>.</summary>
/// <param name="ChannelIds">The channels (UC…) whose new, updated and deleted videos are sent.</param>
/// <param name="Kinds">Only these kinds (<c>videos</c>, <c>shorts</c>, <c>live</c>); none: every upload.</param>
/// <param name="Url">The endpoint: https (http only in Development), reaching a public address.</param>
public sealed record SubscriptionRequest(
    [property: JsonPropertyName("channel_ids")] string[]? ChannelIds,
    [property: JsonPropertyName("kinds")] string[]? Kinds,
    [property: JsonPropertyName("url")] string? Url);
