using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VideoAspire.Api.Channels;
using VideoAspire.Api.Security;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;

namespace VideoAspire.Api.Apis;

/// <summary>
/// Writes: how another process keeps the catalogue current. Every write goes through the <see cref="ChannelWriter"/>,
/// which orders it against every other write and evicts the channel's cached answers, so the next read is fresh.
/// </summary>
public static class ChannelsApi
{
    /// <summary>Largest accepted body: 500 videos with 200-character titles fit comfortably.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static RouteGroupBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/channels/{channelId}")
            .WithTags("Channels")
            .RequireAuthorization(Scopes.WritePolicy)
            .RequireRateLimiting(RateLimitingOptions.PolicyName)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ValidateChannelWrites();

        api.MapPut("", RegisterChannel)
            .WithName("RegisterChannel")
            .WithSummary("Register (track) a channel, or change its title")
            .WithDescription("201 when the channel is new (or comes back after a delete), 200 when it was already tracked.");

        api.MapDelete("", DeleteChannel)
            .WithName("DeleteChannel")
            .WithSummary("Stop tracking a channel and delete its videos")
            .WithDescription("The videos go; a tombstone stays, so that no late answer from YouTube brings the channel back. Registering it again does.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPut("/videos", UpsertVideos)
            .WithName("UpsertVideos")
            .WithSummary($"Insert or update up to {ChannelValidation.MaxVideosPerRequest} videos of a channel (idempotent)")
            .WithDescription("One transaction: all of the batch is written or none of it. Registers the channel if needed; " +
                             "the channel's cached answers are evicted on every replica. A video stored under another channel is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapPost("/refresh", QueueRefresh)
            .WithName("RefreshChannel")
            .WithSummary("Queue a re-fetch of the channel from YouTube")
            .WithDescription("Durable: the Worker's scheduled refresh takes the channel first on its next run.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/cache", EvictCache)
            .WithName("EvictChannelCache")
            .WithSummary("Drop the channel's cached answers")
            .WithDescription("Evicts the channel from every cache layer on every replica; the next read goes to PostgreSQL.");

        return api;
    }

    public static async Task<Results<Created<ChannelResponse>, Ok<ChannelResponse>>> RegisterChannel(
        string channelId, ChannelRegistration? body, ChannelWriter writer, VideosDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        // An explicit write: it also brings back a channel that was deleted.
        var outcome = await writer.WriteAsync(new ChannelSnapshot(channelId, body?.Title, [], "api", time.GetUtcNow()), WriteOrigin.Api, cancellationToken);
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId, cancellationToken);
        var response = ToResponse(channel);
        return outcome is ChannelWrite.Applied { Created: true }
            ? TypedResults.Created($"/channels/{channelId}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteChannel(
        string channelId, ChannelWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        // Videos go, the deletion sticks: no late snapshot from YouTube can bring the channel back.
        return await writer.DeleteAsync(channelId, time.GetUtcNow(), cancellationToken) ? TypedResults.NoContent() : NotFound(channelId);
    }

    public static async Task<Results<Ok<VideoBatchResult>, ProblemHttpResult>> UpsertVideos(
        string channelId, VideoBatch? body, ChannelWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        // One transaction for the whole batch: all of it is written or none of it.
        var videos = ChannelValidation.ToVideos(body!);
        var snapshot = new ChannelSnapshot(channelId, null, videos, "api", time.GetUtcNow());
        return await writer.WriteAsync(snapshot, WriteOrigin.Api, cancellationToken) switch
        {
            ChannelWrite.Applied applied => TypedResults.Ok(new VideoBatchResult(channelId, videos.Count, applied.ChangedRows)),
            ChannelWrite.VideosOfAnotherChannel(var ids) => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Videos of another channel",
                detail: $"These videos belong to another channel and were not moved; nothing was written: {string.Join(", ", ids.Take(20))}.",
                extensions: new Dictionary<string, object?> { ["video_ids"] = ids }),
            var other => throw new InvalidOperationException($"Unexpected write outcome {other}."),
        };
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> QueueRefresh(
        string channelId, VideosDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        // The Worker's scheduled refresh takes never-refreshed channels first: clearing the mark queues it, durably.
        var now = time.GetUtcNow();
        var queued = await db.Channels.Where(c => c.Id == channelId && c.DeletedAt == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(c => c.LastRefreshedAt, (DateTimeOffset?)null)
                .SetProperty(c => c.RefreshFailures, 0)
                .SetProperty(c => c.LastAccessedAt, now), cancellationToken);
        return queued == 0 ? NotFound(channelId) : TypedResults.Accepted($"/channels/{channelId}");
    }

    public static async Task<NoContent> EvictCache(
        string channelId, ChannelCache cache, CancellationToken cancellationToken)
    {
        await cache.InvalidateAsync(channelId, DeletionMark.Keep, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(string channelId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Channel not found",
        detail: $"No channel with id '{channelId}' is stored.");

    private static ChannelResponse ToResponse(Channel channel) =>
        new(channel.Id, channel.Title, channel.CreatedAt, channel.LastAccessedAt, channel.LastRefreshedAt);
}
