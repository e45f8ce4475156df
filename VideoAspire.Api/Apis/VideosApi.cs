using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using VideoAspire.Api.Caching;
using VideoAspire.Api.Security;
using VideoAspire.Api.Videos;

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
            .CacheOutput(ChannelOutputCachePolicy.Name)
            .WithMetadata(new DocumentScope(Scopes.VideosRead));

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
                "entry per id whose value is the video list or, for that id alone, a problem details object. A channel " +
                "never seen before is fetched from YouTube: 202 while it is fetched (or wait with `wait=true`), 404 if " +
                "YouTube does not know it. Answers carry an `ETag`; send it back in `If-None-Match` for a 304.")
            .ProducesReadResponses();

        // The original service's path, kept so existing callers keep working.
        api.MapGet("/video/", GetLatestVideos)
            .WithName("GetLatestVideosLegacy")
            .WithSummary("Alias of /videos")
            .WithDescription("The original service's path, kept for existing callers: the same parameters and answers as `GET /videos`.")
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

    public static Task<IResult> GetLatestVideos(
        [FromQuery(Name = "channel_id")] string[]? channelIds,
        [FromQuery] string? kind,
        [FromQuery] bool? wait,
        HttpContext httpContext,
        ReadPath reader,
        IServiceScopeFactory scopeFactory,
        CancellationToken cancellationToken)
    {
        if (!VideoKinds.TryParse(kind, out var videoKind))
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["kind"] = [InvalidKindMessage],
            }));
        }

        return (channelIds ?? []) switch
        {
            { Length: <= 1 } one => GetOneChannelAsync(one.FirstOrDefault(), videoKind, wait ?? false, httpContext, reader, cancellationToken),
            { Length: > MaxBatchSize } many => Task.FromResult<IResult>(TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [$"At most {MaxBatchSize} channel ids per request ({many.Length} given)."],
            })),
            var many when InvalidIds(many) is { Count: > 0 } invalid => Task.FromResult<IResult>(TypedResults.ValidationProblem(invalid)),
            var many => GetManyChannelsAsync(many, videoKind, wait ?? false, Caller.Of(httpContext), scopeFactory, cancellationToken),
        };
    }

    /// <summary>
    /// A batch's malformed ids, by position (<c>channel_id[3]</c>): the whole batch is a 400, and what the caller sent is
    /// neither echoed nor used as a key of the answer.
    /// </summary>
    private static Dictionary<string, string[]> InvalidIds(string[] channelIds) => channelIds
        .Select((id, index) => (id, index))
        .Where(entry => !ChannelId.IsValid(entry.id))
        .ToDictionary(entry => $"channel_id[{entry.index}]", entry => new[] { InvalidIdMessage(entry.id) });

    /// <summary>The 400's explanation of a bad <c>kind</c> (the value itself is not echoed back).</summary>
    public static readonly string InvalidKindMessage = $"kind must be one of: {string.Join(", ", VideoKinds.Names)}.";

    /// <summary>One channel: its videos, or an error status with problem details.</summary>
    private static async Task<IResult> GetOneChannelAsync(
        string? channelId, VideoKind kind, bool wait, HttpContext httpContext, ReadPath reader, CancellationToken cancellationToken)
    {
        if (!ChannelId.IsValid(channelId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel_id"] = [InvalidIdMessage(channelId)] });
        }

        // The output cache's Redis lookup sent the read of the all-kinds entry with its own (a kind has its own entry).
        var cacheRead = kind == VideoKind.All ? PrefetchedCacheRead.Take(httpContext, channelId) : null;
        return await reader.GetAsync(channelId, kind, wait, Caller.Of(httpContext), cancellationToken, cacheRead) switch
        {
            // The common case serializes straight from the typed model: no intermediate JSON tree.
            VideosLookup.Found(var videos, var staleSince) => MarkedIfStale(httpContext, staleSince, JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(
                new Dictionary<string, IReadOnlyList<LatestVideo>> { [channelId] = videos },
                VideoJsonContext.Default.DictionaryStringIReadOnlyListLatestVideo))),
            var failure => Failure(httpContext, channelId, failure),
        };
    }

    /// <summary>
    /// Several channels: always 200, one entry per distinct id, its videos or (for that id alone) a problem object. Each id
    /// is read on its own scope, a few at a time: concurrent enough to be quick, never enough to drain the database pool
    /// for everyone else.
    /// </summary>
    private static async Task<IResult> GetManyChannelsAsync(
        string[] channelIds, VideoKind kind, bool wait, Caller caller, IServiceScopeFactory scopeFactory, CancellationToken cancellationToken)
    {
        var distinct = channelIds.Distinct(StringComparer.Ordinal).ToArray();
        var entries = new JsonNode[distinct.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, distinct.Length),
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (index, token) => entries[index] = await EntryAsync(distinct[index], token));

        var body = new JsonObject();
        for (var i = 0; i < distinct.Length; i++)
        {
            body[distinct[i]] = entries[i];
        }

        return JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(body, VideoJsonContext.Default.JsonObject));

        async Task<JsonNode> EntryAsync(string id, CancellationToken token)
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var lookup = await scope.ServiceProvider.GetRequiredService<ReadPath>().GetAsync(id, kind, wait, caller, token);
            return lookup is VideosLookup.Found(var videos, _)
                ? JsonSerializer.SerializeToNode(videos, VideoJsonContext.Default.IReadOnlyListLatestVideo)!
                : Describe(id, lookup).ToJson();
        }
    }

    /// <summary>
    /// A stale answer says so (RFC 9211 <c>Cache-Status</c>: a negative <c>ttl</c> is how long past fresh it is), and
    /// the output cache does not keep it (<see cref="ChannelOutputCachePolicy"/>).
    /// </summary>
    private static IResult MarkedIfStale(HttpContext context, DateTimeOffset? staleSince, IResult result)
    {
        if (staleSince is { } since)
        {
            var past = Math.Max(0, (long)(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() - since).TotalSeconds);
            context.Response.Headers[StaleAnswer.HeaderName] = StaleAnswer.HeaderValue(past);
        }

        return result;
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
