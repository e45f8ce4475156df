using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using VideoAspire.Api.Videos;
using VideoAspire.Catalog;

namespace VideoAspire.Api.Apis;

public static class VideosApi
{
    /// <summary>Seconds a caller is asked to wait when YouTube cannot answer for a channel we do not have.</summary>
    private const int UpstreamRetryAfterSeconds = 30;

    public static IEndpointRouteBuilder MapVideosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("")
            .WithTags("Videos")
            .CacheOutput(ChannelOutputCachePolicy.Name);

        api.MapGet("/videos", GetLatestVideos)
            .WithName("GetLatestVideos")
            .WithSummary("The latest five videos of a YouTube channel, newest first")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // The original service's path, kept so existing callers keep working.
        api.MapGet("/video/", GetLatestVideos)
            .WithName("GetLatestVideosLegacy")
            .WithSummary("Alias of /videos")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static async Task<Results<Ok<Dictionary<string, IReadOnlyList<LatestVideo>>>, ValidationProblem, ProblemHttpResult>>
        GetLatestVideos(
            [FromQuery(Name = "channel_id")] string? channelId,
            LatestVideosReader reader,
            HttpContext httpContext,
            CancellationToken cancellationToken)
    {
        if (!ChannelId.IsValid(channelId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [string.IsNullOrEmpty(channelId)
                    ? "channel_id is required."
                    : "channel_id must be a YouTube channel id: 'UC' followed by 22 letters, digits, '-' or '_'."],
            });
        }

        switch (await reader.GetAsync(channelId, cancellationToken))
        {
            case VideosLookup.Found(var videos):
                return TypedResults.Ok(new Dictionary<string, IReadOnlyList<LatestVideo>> { [channelId] = videos });

            case VideosLookup.NotFound:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "Channel not found",
                    detail: $"YouTube has no channel with id '{channelId}'.");

            default:
                httpContext.Response.Headers.RetryAfter = UpstreamRetryAfterSeconds.ToString();
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "YouTube unavailable",
                    detail: $"Channel '{channelId}' is not stored yet and YouTube cannot be reached right now. Retry later.");
        }
    }
}
