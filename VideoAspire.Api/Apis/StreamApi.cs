using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Channels;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Security;
using VideoAspire.Api.Streaming;

namespace VideoAspire.Api.Apis;

/// <summary>
/// <c>GET /videos/stream</c>: Server-Sent Events, one per new, updated or deleted video of the channels asked for (ids,
/// handles or URLs, as for reads, and <c>kind=</c>), from whichever replica or Worker stored it; <c>Last-Event-ID</c>
/// resumes from the outbox. Written by hand rather than with <c>TypedResults.ServerSentEvents</c>: keep-alives are SSE
/// comments, which it cannot send.
/// </summary>
public static class StreamApi
{
    public static RouteGroupBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("")
            .WithTags("Videos")
            .RequireRateLimiting(RateLimitingOptions.PolicyName)
            .WithMetadata(new DocumentScope(Scopes.VideosRead));
        api.RequireReadAccess(app);

        api.MapGet("/videos/stream", Stream)
            .WithName("StreamVideos")
            .WithSummary("New, updated and deleted videos of one or more channels, as they are stored (Server-Sent Events)")
            .WithDescription(
                "`text/event-stream`: one event per change (`event:` `video.published`, `video.updated` or `video.deleted`; " +
                "`id:` its position; `data:` the video as JSON with `type`, `channel_id`, `video_id`, `video_title`, " +
                "`upload_date`, `published_at`, `kind`), and a comment as keep-alive. Channels as for reads " +
                "(`channel_id`, `handle`, `channel`, up to 50; `kind=`). A stream ends after `Streaming:MaxDuration` (30 min): " +
                "reconnect with `Last-Event-ID` (EventSource does) to resume after the last event received.")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }

    public static async Task<IResult> Stream(
        [FromQuery(Name = "channel_id")] string[]? channelIds,
        [FromQuery(Name = "handle")] string[]? handles,
        [FromQuery(Name = "channel")] string[]? channels,
        [FromQuery] string? kind,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext httpContext,
        ChannelResolver resolver,
        VideoEventFeed feed,
        StreamConnections connections,
        IOptions<StreamingOptions> options,
        IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        if (!VideoKinds.TryParse(kind, out var videoKind))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [VideosApi.InvalidKindMessage] });
        }

        var count = (channelIds?.Length ?? 0) + (handles?.Length ?? 0) + (channels?.Length ?? 0);
        var (requested, errors) = ChannelQuery.Parse(channelIds, handles, channels);
        if (count > VideosApi.MaxBatchSize)
        {
            errors["channel_id"] = [$"At most {VideosApi.MaxBatchSize} channels per stream ({count} given)."];
        }

        long? resumeAfter = null;
        if (lastEventId is { Length: > 0 })
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                errors["Last-Event-ID"] = ["Last-Event-ID must be the id of an event of this stream."];
            }

            resumeAfter = after;
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var caller = Caller.Of(httpContext);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in requested)
        {
            switch (await resolver.ResolveAsync(channel.Reference, caller, cancellationToken))
            {
                case ReferenceLookup.Found found:
                    ids.Add(found.ChannelId);
                    break;
                case ReferenceLookup.NotFound:
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Channel not found",
                        detail: $"YouTube has no channel named '{channel.Key}'.");
                default:
                    return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "YouTube unavailable",
                        detail: $"'{channel.Key}' cannot be resolved right now. Retry later.");
            }
        }

        if (connections.TryOpen(caller.Key) is { } refusal)
        {
            httpContext.Response.Headers.RetryAfter = "10";
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many streams", detail: refusal);
        }

        try
        {
            await WriteStreamAsync(httpContext, feed, ids, videoKind, resumeAfter, options.Value, lifetime.ApplicationStopping, cancellationToken);
        }
        finally
        {
            connections.Close(caller.Key);
        }

        return TypedResults.Empty;
    }

    private static async Task WriteStreamAsync(HttpContext httpContext, VideoEventFeed feed, IReadOnlySet<string> channelIds, VideoKind kind,
        long? resumeAfter, StreamingOptions options, CancellationToken stopping, CancellationToken aborted)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        end.CancelAfter(options.MaxDuration);
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        // Listening first, then the backlog: nothing falls between them, and what both hold is sent once. Live events
        // go out in the order they are found (ids commit out of order), so only the backlog's are remembered.
        using var listener = feed.Listen(channelIds, kind);
        var backlog = new HashSet<long>();
        await response.WriteAsync("retry: 2000\n\n", end.Token);
        if (resumeAfter is { } after)
        {
            foreach (var missed in await feed.SinceAsync(channelIds, kind, after, end.Token))
            {
                await WriteEventAsync(response, missed, end.Token);
                backlog.Add(missed.Id);
            }
        }

        await response.Body.FlushAsync(end.Token);
        try
        {
            while (!end.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(end.Token);
                idle.CancelAfter(options.KeepAliveInterval);
                try
                {
                    var next = await listener.Events.ReadAsync(idle.Token);
                    do
                    {
                        if (!backlog.Contains(next.Id))
                        {
                            await WriteEventAsync(response, next, end.Token);
                        }
                    }
                    while (listener.Events.TryRead(out next));
                }
                catch (OperationCanceledException) when (!end.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", end.Token);
                }

                await response.Body.FlushAsync(end.Token);
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            // The client left, this instance stops, or the stream's time is up: it just ends (the client reconnects).
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Too slow for its channels: ended, to resume with Last-Event-ID.
        }
    }

    private static Task WriteEventAsync(HttpResponse response, StreamEvent videoEvent, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.Serialize(videoEvent, StreamJsonContext.Default.StreamEvent);
        return response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"id: {videoEvent.Id}\nevent: {videoEvent.Type}\ndata: {data}\n\n"), Encoding.UTF8, cancellationToken);
    }
}
