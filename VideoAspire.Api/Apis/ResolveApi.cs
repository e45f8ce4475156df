using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using VideoAspire.Api.Channels;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Security;

namespace VideoAspire.Api.Apis;

/// <summary>Which channel a handle or pasted URL names, without reading its videos.</summary>
public static class ResolveApi
{
    public static RouteGroupBuilder MapResolveApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/channels")
            .WithTags("Channels")
            .RequireRateLimiting(RateLimitingOptions.PolicyName)
            .WithMetadata(new DocumentScope(Scopes.VideosRead));

        api.RequireReadAccess(app);

        api.MapGet("/resolve", Resolve)
            .WithName("ResolveChannel")
            .WithSummary("The channel id a handle or YouTube URL names")
            .WithDescription(
                "Exactly one of `handle` (`@name`, the `@` optional) or `channel` (a handle, a `UC…` id, or a youtube.com URL " +
                "of the form `/@name`, `/channel/UC…`, `/user/NAME` or `/c/NAME`). Resolved once per `YouTube:HandleTtl` and " +
                "cached; a new resolution counts against the caller's cold-lookup allowance. 404 when YouTube knows no such channel.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return api;
    }

    public static async Task<Results<Ok<ResolvedChannelResponse>, ValidationProblem, ProblemHttpResult>> Resolve(
        [FromQuery] string[]? handle, [FromQuery] string[]? channel, HttpContext httpContext, ChannelResolver resolver, CancellationToken cancellationToken)
    {
        if ((handle?.Length ?? 0) + (channel?.Length ?? 0) != 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["handle"] = ["Exactly one handle or channel, please."] });
        }

        var (requested, errors) = ChannelQuery.Parse(null, handle, channel);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var reference = requested[0];
        switch (await resolver.ResolveAsync(reference.Reference, Caller.Of(httpContext), cancellationToken))
        {
            case ReferenceLookup.Found found:
                return TypedResults.Ok(new ResolvedChannelResponse(found.ChannelId, found.Handle, found.Title));
            case ReferenceLookup.NotFound:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Channel not found",
                    detail: $"YouTube has no channel named '{reference.Key}'.");
            case ReferenceLookup.Throttled(var retryAfter):
                httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many new channels",
                    detail: "This caller has asked for too many channels not known yet in the last minute. Retry later.");
            default:
                httpContext.Response.Headers.RetryAfter = "30";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "YouTube unavailable",
                    detail: $"'{reference.Key}' is not known yet and YouTube cannot be reached right now. Retry later.");
        }
    }
}
