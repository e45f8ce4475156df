using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;
using StackExchange.Redis;
using VideoAspire.Api.Caching;
using VideoAspire.Api.Channels;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Security;
using VideoAspire.Api.Videos;
using VideoAspire.Redis.Caching;

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

        api.RequireReadAccess(app);

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
        [FromQuery(Name = "handle")] string[]? handles,
        [FromQuery(Name = "channel")] string[]? channels,
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

        var count = (channelIds?.Length ?? 0) + (handles?.Length ?? 0) + (channels?.Length ?? 0);
        if (count > MaxBatchSize)
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [$"At most {MaxBatchSize} channels per request ({count} given)."],
            }));
        }

        // The common case, one id: no list, no resolution.
        if (count <= 1 && (handles?.Length ?? 0) + (channels?.Length ?? 0) == 0)
        {
            return GetOneChannelAsync(channelIds?.FirstOrDefault(), videoKind, wait ?? false, httpContext, reader, cancellationToken);
        }

        var (requested, errors) = ChannelQuery.Parse(channelIds, handles, channels);
        if (errors.Count > 0)
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(errors));
        }

        return count == 1
            ? GetOneReferenceAsync(requested[0], videoKind, wait ?? false, httpContext, reader, cancellationToken)
            : GetManyChannelsAsync(requested, videoKind, wait ?? false, httpContext, scopeFactory, cancellationToken);
    }

    /// <summary>The 400's explanation of a bad <c>kind</c> (the value itself is not echoed back).</summary>
    public static readonly string InvalidKindMessage = $"kind must be one of: {string.Join(", ", VideoKinds.Names)}.";

    /// <summary>One channel: its videos, or an error status with problem details.</summary>
    private static async Task<IResult> GetOneChannelAsync(
        string? channelId, VideoKind kind, bool wait, HttpContext httpContext, ReadPath reader, CancellationToken cancellationToken)
    {
        if (!ChannelId.IsValid(channelId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["channel_id"] = [string.IsNullOrEmpty(channelId) ? ChannelQuery.MissingMessage : ChannelQuery.InvalidIdMessage],
            });
        }

        // The output cache's Redis lookup sent the read of the all-kinds entry with its own (a kind has its own entry).
        var cacheRead = kind == VideoKind.All ? PrefetchedCacheRead.Take(httpContext, channelId) : null;
        return await reader.GetAsync(channelId, kind, wait, Caller.Of(httpContext), cancellationToken, cacheRead) switch
        {
            // The common case serializes straight from the typed model: no intermediate JSON tree.
            VideosLookup.Found(var videos, var staleSince) => MarkedIfStale(httpContext, staleSince, Answer(channelId, videos)),
            var failure => Failure(httpContext, channelId, failure),
        };
    }

    /// <summary>
    /// One channel by handle or URL: resolved (from memory when this instance knows it), then read as by id. The answer's
    /// key is the normalised reference; a header says which channel it resolved to, and the output cache entry is tagged
    /// with that channel, so a write to it evicts this answer too.
    /// </summary>
    private static async Task<IResult> GetOneReferenceAsync(
        RequestedChannel requested, VideoKind kind, bool wait, HttpContext httpContext, ReadPath reader, CancellationToken cancellationToken)
    {
        var services = httpContext.RequestServices;
        var caller = Caller.Of(httpContext);
        var resolution = await services.GetRequiredService<ChannelResolver>().ResolveAsync(requested.Reference, caller, cancellationToken);
        if (resolution is not ReferenceLookup.Found { ChannelId: var channelId })
        {
            return Failure(httpContext, requested.Key, Unresolved(resolution));
        }

        ResolvedChannels.Write(httpContext, [(requested, channelId)]);
        httpContext.Features.Get<IOutputCacheFeature>()?.Context.Tags.Add(CacheKeys.ChannelTag(channelId));
        var cacheRead = kind == VideoKind.All
            ? PrefetchedCacheRead.Send(httpContext, services.GetRequiredService<IConnectionMultiplexer>(), channelId, services.GetRequiredService<TimeProvider>())
            : (PendingCacheRead?)null;
        return await reader.GetAsync(channelId, kind, wait, caller, cancellationToken, cacheRead) switch
        {
            VideosLookup.Found(var videos, var staleSince) => MarkedIfStale(httpContext, staleSince, Answer(requested.Key, videos)),
            var failure => Failure(httpContext, requested.Key, failure),
        };
    }

    private static IResult Answer(string key, IReadOnlyList<LatestVideo> videos) => JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(
        new Dictionary<string, IReadOnlyList<LatestVideo>> { [key] = videos },
        VideoJsonContext.Default.DictionaryStringIReadOnlyListLatestVideo));

    /// <summary>
    /// Several channels: always 200, one entry per distinct channel, its videos or (for that one alone) a problem object.
    /// Each is resolved and read on its own scope, a few at a time: concurrent enough to be quick, never enough to drain
    /// the database pool for everyone else.
    /// </summary>
    private static async Task<IResult> GetManyChannelsAsync(IReadOnlyList<RequestedChannel> requested, VideoKind kind, bool wait,
        HttpContext httpContext, IServiceScopeFactory scopeFactory, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(httpContext);
        var entries = new JsonNode[requested.Count];
        var resolved = new string?[requested.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, requested.Count),
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (index, token) => entries[index] = await EntryAsync(index, token));

        var body = new JsonObject();
        for (var i = 0; i < requested.Count; i++)
        {
            body[requested[i].Key] = entries[i];
        }

        ResolvedChannels.Write(httpContext, requested.Zip(resolved).Where(pair => pair.Second is not null).Select(pair => (pair.First, pair.Second!)));
        return JsonWithETag(JsonSerializer.SerializeToUtf8Bytes(body, VideoJsonContext.Default.JsonObject));

        async Task<JsonNode> EntryAsync(int index, CancellationToken token)
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var key = requested[index].Key;
            var resolution = await scope.ServiceProvider.GetRequiredService<ChannelResolver>().ResolveAsync(requested[index].Reference, caller, token);
            if (resolution is not ReferenceLookup.Found { ChannelId: var channelId })
            {
                return Describe(key, Unresolved(resolution)).ToJson();
            }

            resolved[index] = channelId;
            var lookup = await scope.ServiceProvider.GetRequiredService<ReadPath>().GetAsync(channelId, kind, wait, caller, token);
            return lookup is VideosLookup.Found(var videos, _)
                ? JsonSerializer.SerializeToNode(videos, VideoJsonContext.Default.IReadOnlyListLatestVideo)!
                : Describe(key, lookup).ToJson();
        }
    }

    /// <summary>A reference no channel could be found for, as the read's outcome.</summary>
    private static VideosLookup Unresolved(ReferenceLookup resolution) => resolution switch
    {
        ReferenceLookup.NotFound => new VideosLookup.NotFound(),
        ReferenceLookup.Throttled(var retryAfter) => new VideosLookup.Throttled(retryAfter),
        ReferenceLookup.Unavailable(var reason) => new VideosLookup.Unavailable(reason),
        _ => throw new InvalidOperationException("Resolved."),
    };

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
            ChannelId.IsValid(channelId) ? $"YouTube has no channel with id '{channelId}'." : $"YouTube has no channel named '{channelId}'."),
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
}
