using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Videos;

/// <summary>
/// The read path: Redis latest-five entry, else PostgreSQL (then fill Redis), else YouTube (answered at once,
/// persisted asynchronously). Each kind has its own entry and its own answer at every step. An entry past its freshness
/// is still the answer while PostgreSQL cannot give one (<see cref="CacheOptions.MaxStaleness"/>).
/// </summary>
public sealed class ReadPath(
    ChannelCache cache,
    DatabaseRead database,
    ColdChannelFetcher coldFetcher,
    ChannelAccessTracker accessTracker,
    Outages outages,
    IOptions<CacheOptions> options)
{
    /// <param name="caller">Who asks: a channel we do not store counts against its cold-lookup allowance.</param>
    /// <param name="cacheRead">The Redis read of the channel's entry, if already sent (<c>PrefetchedCacheRead</c>).</param>
    public async Task<VideosLookup> GetAsync(string channelId, VideoKind kind, bool wait, Caller caller, CancellationToken cancellationToken,
        PendingCacheRead? cacheRead = null)
    {
        var lookup = await cache.LookupAsync(channelId, kind, cacheRead);
        if (lookup.Fresh is { } fresh)
        {
            accessTracker.RecordAccess(channelId);
            return new VideosLookup.Found(fresh);
        }

        // A stale entry is the answer whenever PostgreSQL cannot give a better one quickly (stale-if-error): waited for
        // only briefly, and not at all while it is known to be down (but for one probe a second).
        var stale = lookup.Stale ? new VideosLookup.Found(lookup.Videos!, lookup.FreshUntil) : null;
        if (stale is not null && !outages.Database.ShouldTry())
        {
            accessTracker.RecordAccess(channelId);
            return stale;
        }

        var stored = await database.ReadAsync(channelId, kind, cancellationToken, lookup.RecentlyWritten,
            stale is not null ? options.Value.StaleSoftTimeout : null);
        switch (stored)
        {
            case null when stale is not null:
                accessTracker.RecordAccess(channelId);
                return stale;
            case { State: ChannelState.Deleted }:
                return new VideosLookup.Deleted(); // deleted here on purpose: not fetched back from YouTube
            case { State: ChannelState.Stored, KindFetched: true }:
                await cache.FillAsync(lookup, stored.Value.Videos, stored.Value.FromReplica);
                accessTracker.RecordAccess(channelId);
                return new VideosLookup.Found(stored.Value.Videos);
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
}
