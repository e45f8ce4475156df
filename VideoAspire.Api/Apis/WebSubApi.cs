using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Api.WebSub;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Api.Apis;

/// <summary>
/// The callback YouTube's WebSub hub calls: intent verification (GET) and notifications (POST). Mapped only when
/// <c>YouTube:WebSub:CallbackBaseUrl</c> is set. Anonymous (the hub has no token; notifications are authenticated by
/// their HMAC signature), rate limited per client address under a budget of its own, never output-cached, and not in the OpenAPI document: it is the
/// hub's interface, not the API's.
/// </summary>
public static class WebSubApi
{
    public static void MapWebSubCallback(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<WebSubOptions>>().Value.Enabled)
        {
            return;
        }

        var callback = app.MapGroup(WebSubOptions.CallbackPath)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitingOptions.WebSubPolicyName)
            .ExcludeFromDescription();

        // The last segment is the subscription's secret token (WebSubCallbackToken): no other URL answers.
        callback.MapGet("/{token}", VerifyIntent);
        callback.MapPost("/{token}", ReceiveNotification);
    }

    /// <summary>200 with the challenge as plain text for an intent we have; 404 for anything else (the spec's answer).</summary>
    public static async Task<Results<ContentHttpResult, NotFound>> VerifyIntent(
        string token,
        [FromQuery(Name = "hub.mode")] string? mode,
        [FromQuery(Name = "hub.topic")] string? topic,
        [FromQuery(Name = "hub.challenge")] string? challenge,
        [FromQuery(Name = "hub.lease_seconds")] int? leaseSeconds,
        WebSubCallback callback,
        CancellationToken cancellationToken)
    {
        var needsChallenge = mode is not "denied";
        if ((needsChallenge && !IsPlainChallenge(challenge)) || !await callback.VerifyAsync(token, mode, topic, leaseSeconds, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Text(needsChallenge ? challenge : "", "text/plain");
    }

    /// <summary>What is echoed back is short and plain (hubs send a few dozen URL-safe characters): nothing to inject.</summary>
    private static bool IsPlainChallenge([NotNullWhen(true)] string? challenge) =>
        challenge is { Length: > 0 and <= 200 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~');

    /// <summary>
    /// 202 for every well-sized notification, signed or not (the spec: a bad signature is ignored, not refused, so a
    /// forger learns nothing); 413 past the size cap.
    /// </summary>
    public static async Task<Results<Accepted, NotFound, StatusCodeHttpResult>> ReceiveNotification(
        string token, HttpRequest request, WebSubCallback callback, CancellationToken cancellationToken) =>
        await callback.ReceiveAsync(token, request, cancellationToken) switch
        {
            NotificationOutcome.UnknownCallback => TypedResults.NotFound(),
            NotificationOutcome.TooLarge => TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge),
            _ => TypedResults.Accepted((string?)null),
        };
}
