using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VideoAspire.Api.Channels;
using VideoAspire.Api.Security;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Persistence;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Api.Apis;

/// <summary>
/// Writes: how another process keeps the catalogue current. Every write ends by evicting the channel's Redis entry
/// and output-cache tag, so the next read is fresh.
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
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        api.MapPut("", RegisterChannel)
            .WithName("RegisterChannel")
            .WithSummary("Register (track) a channel, or change its title");

        api.MapDelete("", DeleteChannel)
            .WithName("DeleteChannel")
            .WithSummary("Stop tracking a channel and delete its videos");

        api.MapPut("/videos", UpsertVideos)
            .WithName("UpsertVideos")
            .WithSummary($"Insert or update up to {ChannelValidation.MaxVideosPerRequest} videos of a channel (idempotent)");

        api.MapPost("/refresh", QueueRefresh)
            .WithName("RefreshChannel")
            .WithSummary("Queue a re-fetch of the channel from YouTube");

        api.MapDelete("/cache", EvictCache)
            .WithName("EvictChannelCache")
            .WithSummary("Drop the channel's cached answers");

        return api;
    }

    public static async Task<Results<Created<ChannelResponse>, Ok<ChannelResponse>, ValidationProblem>> RegisterChannel(
        string channelId, ChannelRegistration? body, VideosDbContext db, LatestVideosCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = ChannelValidation.Validate(channelId, body);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var channel = await db.Channels.FindAsync([channelId], cancellationToken);
        var created = channel is null;
        if (channel is null)
        {
            channel = new Channel { Id = channelId, Title = body?.Title ?? "", CreatedAt = time.GetUtcNow() };
            db.Channels.Add(channel);
        }
        else if (body?.Title is { } title)
        {
            channel.Title = title;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created)
        {
            // Registered concurrently by someone else: the channel exists, which is what was asked.
            db.ChangeTracker.Clear();
            channel = await db.Channels.SingleAsync(c => c.Id == channelId, cancellationToken);
            created = false;
        }

        await cache.InvalidateAsync(channelId, cancellationToken);
        var response = ToResponse(channel);
        return created ? TypedResults.Created($"/channels/{channelId}", response) : TypedResults.Ok(response);
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteChannel(
        string channelId, VideosDbContext db, LatestVideosCache cache, CancellationToken cancellationToken)
    {
        var errors = ChannelValidation.ChannelIdErrors(channelId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Videos go with it (cascade), in the same statement.
        var deleted = await db.Channels.Where(c => c.Id == channelId).ExecuteDeleteAsync(cancellationToken);
        await cache.InvalidateAsync(channelId, cancellationToken);
        return deleted == 0 ? NotFound(channelId) : TypedResults.NoContent();
    }

    public static async Task<Results<Ok<VideoBatchResult>, ValidationProblem>> UpsertVideos(
        string channelId, VideoBatch? body, VideosDbContext db, LatestVideosCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = ChannelValidation.Validate(channelId, body, time, out var videos);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // One transaction for the whole batch: all of it is written or none of it.
        var snapshot = new ChannelSnapshot(channelId, null, videos, "api", time.GetUtcNow());
        var changed = await db.UpsertAsync(snapshot, cancellationToken);
        await cache.InvalidateAsync(channelId, cancellationToken);
        return TypedResults.Ok(new VideoBatchResult(channelId, videos.Count, changed));
    }

    public static async Task<Results<Accepted, ProblemHttpResult, ValidationProblem>> QueueRefresh(
        string channelId, VideosDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = ChannelValidation.ChannelIdErrors(channelId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The Worker's scheduled refresh takes never-refreshed channels first: clearing the mark queues it, durably.
        var now = time.GetUtcNow();
        var queued = await db.Channels.Where(c => c.Id == channelId)
            .ExecuteUpdateAsync(set => set
                .SetProperty(c => c.LastRefreshedAt, (DateTimeOffset?)null)
                .SetProperty(c => c.LastAccessedAt, now), cancellationToken);
        return queued == 0 ? NotFound(channelId) : TypedResults.Accepted($"/channels/{channelId}");
    }

    public static async Task<Results<NoContent, ValidationProblem>> EvictCache(
        string channelId, LatestVideosCache cache, CancellationToken cancellationToken)
    {
        var errors = ChannelValidation.ChannelIdErrors(channelId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await cache.InvalidateAsync(channelId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(string channelId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Channel not found",
        detail: $"No channel with id '{channelId}' is stored.");

    private static ChannelResponse ToResponse(Channel channel) =>
        new(channel.Id, channel.Title, channel.CreatedAt, channel.LastAccessedAt, channel.LastRefreshedAt);
}
