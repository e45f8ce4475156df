using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using VideoAspire.Api.Security;
using VideoAspire.Api.Videos;
using VideoAspire.Catalog;

namespace VideoAspire.Api.Apis;

public static class VideosApi
{
    public const int MaxBatchSize = 50;

    /// <summary>Ids of one batch read at the same time (each may hold a database connection).</summary>
    private const int BatchParallelism = 4;

    /// <summary>Seconds a caller is asked to wait when YouTube cannot answer for a channel we do not have.</summary>
    private const int UpstreamRetryAfterSeconds = 30;

    /// <summary>Seconds until a pending cold fetch has most likely finished.</summary>
    private const int PendingRetryAfterSeconds = 2;

    public static RouteGroupBuilder MapVideosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("")
            .WithTags("Videos")
            .RequireRateLimiting(RateLimitingOptions.PolicyName)
            .CacheOutput(ChannelOutputCachePolicy.Name);

        // Anonymous reads (Development): nothing to authorize, rather than a policy that always succeeds on every read.
        if (app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.AllowAnonymousReads)
        {
            api.AllowAnonymous();
        }
        else
        {
            api.RequireAuthorization(Scopes.ReadPolicy);
        }

        api.MapGet("/videos", GetLatestVideos)
            .WithName("GetLatestVideos")
            .WithSummary("The latest five videos of one or more YouTube channels, newest first")
            .WithDescription(
                "One `channel_id`: the channel's videos, or an error status. Several (up to 50): always 200, one " +
                "entry per id whose value is the video list or, for that id alone, a problem details object.")
            .ProducesReadResponses();

        // The original service's path, kept so existing callers keep working.
        api.MapGet("/video/", GetLatestVideos)
            .WithName("GetLatestVideosLegacy")
            .WithSummary("Alias of /videos")
            .ProducesReadResponses();

        return api;
    }

    private static RouteHandlerBuilder ProducesReadResponses(this RouteHandlerBuilder endpoint) => endpoint
            .Produces<Dictionary<string, IReadOnlyList<LatestVideo>>>(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static async Task<IResult> GetLatestVideos(
        [FromQuery(Name = "channel_id")] string[]? channelIds,
        [FromQuery] bool? wait,
        HttpContext httpContext,
        LatestVideosReader reader,
        IServiceScopeFactory scopeFactory,
        CancellationToken cancellationToken)
    {
        channelIds ??= [];
        if (channelIds.Length <= 1)
        {
            var channelId = channelIds.FirstOrDefault();
            if (!ChannelId.IsValid(channelId))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel_id"] = [InvalidIdMessage(channelId)] });
            }

            var cacheRead = PrefetchedLatestVideos.Take(httpContext, channelId);
            return await reader.GetAsync(channelId, wait ?? false, Caller.Of(httpContext), cancellationToken, cacheRead) switch
            {
                // The common case serializes straight from the typed model: no intermediate JSON tree.
                VideosLookup.Found(var videos) => JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(
                    new Dictionary<string, IReadOnlyList<LatestVideo>> { [channelId] = videos },
                    CatalogJsonContext.Default.DictionaryStringIReadOnlyListLatestVideo)),
                var failure => Failure(httpContext, channelId, failure),
            };
        }

        if (channelIds.Length > MaxBatchSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [$"At most {MaxBatchSize} channel ids per request ({channelIds.Length} given)."],
            });
        }

        // Each id on its own scope, a few at a time: concurrent enough to be quick, never enough to drain the database
        // pool for everyone else. One id's failure is reported in its entry only.
        var distinct = channelIds.Distinct(StringComparer.Ordinal).ToArray();
        var caller = Caller.Of(httpContext);
        var entries = new (string Id, JsonNode Entry)[distinct.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, distinct.Length),
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var id = distinct[index];
                if (!ChannelId.IsValid(id))
                {
                    entries[index] = (id, new Outcome(StatusCodes.Status400BadRequest, "Invalid channel id", InvalidIdMessage(id)).ToJson());
                    return;
                }

                await using var scope = scopeFactory.CreateAsyncScope();
                var lookup = await scope.ServiceProvider.GetRequiredService<LatestVideosReader>().GetAsync(id, wait ?? false, caller, token);
                entries[index] = (id, lookup is VideosLookup.Found(var videos)
                    ? JsonSerializer.SerializeToNode(videos, CatalogJsonContext.Default.IReadOnlyListLatestVideo)!
                    : Describe(id, lookup).ToJson());
            });

        var body = new JsonObject();
        foreach (var (id, entry) in entries)
        {
            body[id] = entry;
        }

        return JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(body, CatalogJsonContext.Default.JsonObject));
    }

    /// <summary>
    /// 200 with a strong ETag over the exact bytes; <c>If-None-Match</c> with the same tag answers 304 (the output
    /// cache does the same for responses it stores).
    /// </summary>
    private static IResult JsonWithETag(byte[] body)
    {
        var etag = new EntityTagHeaderValue($"\"{XxHash128.HashToUInt128(body):x32}\"");
        return TypedResults.Bytes(body, "application/json; charset=utf-8", entityTag: etag);
    }

    private static IResult Failure(HttpContext httpContext, string channelId, VideosLookup lookup)
    {
        var outcome = Describe(channelId, lookup);
        if (outcome.RetryAfter is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(
            statusCode: outcome.Status,
            title: outcome.Title,
            detail: outcome.Detail,
            extensions: outcome.Status == StatusCodes.Status202Accepted ? new Dictionary<string, object?> { ["channel_id"] = channelId } : null);
    }

    private static Outcome Describe(string channelId, VideosLookup lookup) => lookup switch
    {
        VideosLookup.NotFound => new(StatusCodes.Status404NotFound, "Channel not found",
            $"YouTube has no channel with id '{channelId}'."),
        VideosLookup.Deleted => new(StatusCodes.Status404NotFound, "Channel not found",
            $"Channel '{channelId}' was deleted from this service (PUT /channels/{channelId} tracks it again)."),
        VideosLookup.Throttled(var retryAfter) => new(StatusCodes.Status429TooManyRequests, "Too many new channels",
            $"Channel '{channelId}' is not stored, and this caller has asked for too many such channels in the last minute " +
            "(stored channels keep answering). Retry later.",
            Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))),
        VideosLookup.Pending => new(StatusCodes.Status202Accepted, "Fetch in progress",
            $"Channel '{channelId}' is being fetched from YouTube. Ask again shortly, or add wait=true to wait for it.",
            PendingRetryAfterSeconds),
        _ => new(StatusCodes.Status503ServiceUnavailable, "YouTube unavailable",
            $"Channel '{channelId}' is not stored yet and YouTube cannot be reached right now. Retry later.",
            UpstreamRetryAfterSeconds),
    };

    /// <summary>Why one channel has no video list: a response's problem details, or one entry of a batch.</summary>
    private sealed record Outcome(int Status, string Title, string Detail, int? RetryAfter = null)
    {
        public JsonObject ToJson()
        {
            var problem = new JsonObject { ["status"] = Status, ["title"] = Title, ["detail"] = Detail };
            if (RetryAfter is { } seconds)
            {
                problem["retry_after"] = seconds;
            }

            return problem;
        }
    }

    private static string InvalidIdMessage(string? channelId) => string.IsNullOrEmpty(channelId)
        ? "channel_id is required."
        : "channel_id must be a YouTube channel id: 'UC' followed by 22 letters, digits, '-' or '_'.";
}
