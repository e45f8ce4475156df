using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using VideoAspire.Api.Videos;
using VideoAspire.Catalog;

namespace VideoAspire.Api.Apis;

public static class VideosApi
{
    public static IEndpointRouteBuilder MapVideosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("")
            .WithTags("Videos")
            .CacheOutput(ChannelOutputCachePolicy.Name);

        api.MapGet("/videos", GetLatestVideos)
            .WithName("GetLatestVideos")
            .WithSummary("The latest five videos of a YouTube channel, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        // The original service's path, kept so existing callers keep working.
        api.MapGet("/video/", GetLatestVideos)
            .WithName("GetLatestVideosLegacy")
            .WithSummary("Alias of /videos")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        return app;
    }

    public static async Task<Results<Ok<Dictionary<string, IReadOnlyList<LatestVideo>>>, ValidationProblem, ProblemHttpResult>>
        GetLatestVideos(
            [FromQuery(Name = "channel_id")] string? channelId,
            LatestVideosReader reader,
            CancellationToken cancellationToken)
    {
        if (!ChannelId.IsValid(channelId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [string.IsNullOrEmpty(channelId)
                    ? "channel_id is required."
                    : $"channel_id must be a YouTube channel id: 'UC' followed by 22 letters, digits, '-' or '_'."],
            });
        }

        var videos = await reader.GetAsync(channelId, cancellationToken);
        if (videos is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Channel not found",
                detail: $"No channel with id '{channelId}' is known.");
        }

        return TypedResults.Ok(new Dictionary<string, IReadOnlyList<LatestVideo>> { [channelId] = videos });
    }
}
