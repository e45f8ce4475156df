using StackExchange.Redis;
using VideoAspire.Api.Security;
using VideoAspire.Catalog;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;

namespace VideoAspire.Api.Videos;

/// <summary>
/// The read path: Redis latest-five entry, else PostgreSQL (then fill Redis), else YouTube (answered at once,
/// persisted asynchronously).
/// </summary>
public sealed class LatestVideosReader(
    LatestVideosCache cache,
    StoredLatestVideos database,
    ColdChannelFetcher coldFetcher,
    ChannelAccessTracker accessTracker)
{
    /// <param name="caller">Who asks: a channel we do not store counts against its cold-lookup allowance.</param>
    /// <param name="cacheRead">The Redis read of the channel's entry, if already sent (<see cref="PrefetchedLatestVideos"/>).</param>
    public async Task<VideosLookup> GetAsync(string channelId, bool wait, Caller caller, CancellationToken cancellationToken,
        Task<RedisValue>? cacheRead = null)
    {
        var videos = await cache.GetAsync(channelId, cacheRead);
        if (videos is null)
        {
            var stored = await database.ReadAsync(channelId, cancellationToken);
            switch (stored?.State)
            {
                case ChannelState.Deleted:
                    return new VideosLookup.Deleted(); // deleted here on purpose: not fetched back from YouTube
                case ChannelState.Stored:
                    videos = stored.Value.Videos;
                    if (stored.Value.FromReplica)
                    {
                        // A replica's answer may predate a write made since: it must not replace the writer's.
                        await cache.SetUnlessWrittenRecentlyAsync(channelId, videos);
                    }
                    else
                    {
                        await cache.SetAsync(channelId, videos);
                    }

                    break;
                default:
                    // Known nowhere yet, or the database is down: YouTube decides (the row, and its last_accessed_at,
                    // arrive with the hand-off).
                    return await coldFetcher.FetchAsync(channelId, wait, caller, cancellationToken);
            }
        }

        accessTracker.RecordAccess(channelId);
        return new VideosLookup.Found(videos);
    }
}
