using StackExchange.Redis;

namespace VideoAspire.Api.Videos;

/// <summary>
/// A request feature: the read of a channel's latest-five entry, already sent by the output cache's Redis lookup
/// (<see cref="Caching.LocalOutputCacheStore"/>) so that the endpoint does not pay a second round trip for it.
/// </summary>
public sealed record PrefetchedLatestVideos(string ChannelId, Task<RedisValue> Read)
{
    /// <summary>The read sent for this channel by this request, if any (taken once: a later lookup reads afresh).</summary>
    public static Task<RedisValue>? Take(HttpContext context, string channelId)
    {
        if (context.Features.Get<PrefetchedLatestVideos>() is not { } prefetched || prefetched.ChannelId != channelId)
        {
            return null;
        }

        context.Features.Set<PrefetchedLatestVideos>(null);
        return prefetched.Read;
    }
}
