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

        callback.MapGet("", VerifyIntent);
        callback.MapPost("", ReceiveNotification);
    }

    /// <summary>200 with the challenge as plain text for an intent we have; 404 for anything else (the spec's answer).</summary>
    public static async Task<Results<ContentHttpResult, NotFound>> VerifyIntent(
        [FromQuery(Name = "hub.mode")] string? mode,
        [FromQuery(Name = "hub.topic")] string? topic,
        [FromQuery(Name = "hub.challenge")] string? challenge,
        [FromQuery(Name = "hub.lease_seconds")] int? leaseSeconds,
        WebSubCallback callback,
        CancellationToken cancellationToken)
    {
        var needsChallenge = mode is not "denied";
        if ((needsChallenge && string.IsNullOrEmpty(challenge)) || !await callback.VerifyAsync(mode, topic, leaseSeconds, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Text(needsChallenge ? challenge : "", "text/plain");
    }

    /// <summary>
    /// 202 for every well-sized notification, signed or not (the spec: a bad signature is ignored, not refused, so a
    /// forger learns nothing); 413 past the size cap.
    /// </summary>
    public static async Task<Results<Accepted, StatusCodeHttpResult>> ReceiveNotification(
        HttpRequest request, WebSubCallback callback, CancellationToken cancellationToken) =>
        await callback.ReceiveAsync(request, cancellationToken) == NotificationOutcome.TooLarge
            ? TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge)
            : TypedResults.Accepted((string?)null);
}
