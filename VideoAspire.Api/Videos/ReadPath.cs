using VideoAspire.Api.Security;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;

namespace VideoAspire.Api.Videos;

/// <summary>
/// The read path: Redis latest-five entry, else PostgreSQL (then fill Redis), else YouTube (answered at once,
/// persisted asynchronously). Each kind has its own entry and its own answer at every step.
/// </summary>
public sealed class ReadPath(
    ChannelCache cache,
    DatabaseRead database,
    ColdChannelFetcher coldFetcher,
    ChannelAccessTracker accessTracker)
{
    /// <param name="caller">Who asks: a channel we do not store counts against its cold-lookup allowance.</param>
    /// <param name="cacheRead">The Redis read of the channel's entry, if already sent (<c>PrefetchedCacheRead</c>).</param>
    public async Task<VideosLookup> GetAsync(string channelId, VideoKind kind, bool wait, Caller caller, CancellationToken cancellationToken,
        PendingCacheRead? cacheRead = null)
    {
        var lookup = await cache.LookupAsync(channelId, kind, cacheRead);
        var videos = lookup.Videos;
        if (videos is null)
        {
            var stored = await database.ReadAsync(channelId, kind, cancellationToken, lookup.RecentlyWritten);
            switch (stored)
            {
                case { State: ChannelState.Deleted }:
                    return new VideosLookup.Deleted(); // deleted here on purpose: not fetched back from YouTube
                case { State: ChannelState.Stored, KindFetched: true }:
                    videos = stored.Value.Videos;
                    await cache.FillAsync(lookup, videos, stored.Value.FromReplica);
                    break;
                case { State: ChannelState.Stored }:
                    // A kind not read since the channel's last new upload: its playlist, and what is stored of it if
                    // YouTube cannot answer now.
                    accessTracker.RecordAccess(channelId);
                    return await coldFetcher.FetchAsync(channelId, kind, wait, caller, cancellationToken, storedOfKind: stored.Value.Videos);
                default:
                    // Known nowhere yet, or the database is down: YouTube decides (the row, and its last_accessed_at,
                    // arrive with the hand-off).
                    return await coldFetcher.FetchAsync(channelId, kind, wait, caller, cancellationToken);
            }
        }

        accessTracker.RecordAccess(channelId);
        return new VideosLookup.Found(videos);
    }
}
