using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Data;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Caching;
using VideoAspire.Telemetry;
using VideoAspire.YouTube;

namespace VideoAspire.Api.Videos;

/// <summary>
/// Fetches channels (or a kind of one) nobody has asked about before, once: concurrent callers on this instance share
/// one fetch per channel and kind (an in-memory single flight), callers on other instances wait for the instance holding
/// the Redis fetch lock and read its result from the latest-five cache, or from PostgreSQL once the Worker has stored it.
/// "Does not exist" answers are remembered briefly so a flood of bogus ids cannot spend the quota.
/// </summary>
public sealed partial class ColdChannelFetcher(
    IServiceScopeFactory scopeFactory,
    FetchLock fetchLock,
    UnknownChannels unknownChannels,
    ChannelCache cache,
    SnapshotPersistence persistence,
    ColdLookupLimiter coldLookups,
    DatabaseRead database,
    IOptions<YouTubeOptions> options,
    TimeProvider timeProvider,
    ILogger<ColdChannelFetcher> logger)
{
    private readonly ConcurrentDictionary<(string ChannelId, VideoKind Kind), Lazy<Task<VideosLookup>>> _inFlight = new();

    /// <summary>
    /// How long a fetch may run, and so how long its Redis lock lives and another instance waits for it before
    /// fetching anyway (it may have died): a little more than the longest fetch.
    /// </summary>
    private TimeSpan FetchBudget => options.Value.MaxFetchDuration + TimeSpan.FromSeconds(1);

    /// <summary>How long a finished peer's answer is looked for before fetching anyway: a little more than the hand-off
    /// takes to reach PostgreSQL.</summary>
    private static readonly TimeSpan PeerResultGrace = TimeSpan.FromSeconds(2);

    /// <param name="wait">Wait for YouTube however long it takes (bounded by the source timeouts) instead of
    /// answering <see cref="VideosLookup.Pending"/> after <see cref="YouTubeOptions.RequestBudget"/>.</param>
    /// <param name="caller">Whose cold-lookup allowance a new fetch is counted against (joining one in flight is free).</param>
    /// <param name="storedOfKind">For a stored channel whose <paramref name="kind"/> is to be read again: what PostgreSQL
    /// has of that kind. Only the kind's playlist is read, and these videos are the answer whenever YouTube cannot give one.</param>
    public async Task<VideosLookup> FetchAsync(string channelId, VideoKind kind, bool wait, Caller caller, CancellationToken cancellationToken,
        IReadOnlyList<LatestVideo>? storedOfKind = null)
    {
        // What is stored of a kind stands in for YouTube's answer only if there is something (an empty list may just
        // mean the kind was never read).
        var fallback = storedOfKind is { Count: > 0 } ? new VideosLookup.Found(storedOfKind) : null;
        if (storedOfKind is null && await unknownChannels.ContainsAsync(channelId, kind))
        {
            return new VideosLookup.NotFound();
        }

        if (!_inFlight.TryGetValue((channelId, kind), out var flight))
        {
            if (await coldLookups.TryAcquireAsync(caller) is { } retryAfter)
            {
                return fallback ?? (VideosLookup)new VideosLookup.Throttled(retryAfter);
            }

            flight = _inFlight.GetOrAdd((channelId, kind),
                key => new Lazy<Task<VideosLookup>>(() => RunFlightAsync(key.ChannelId, key.Kind, storedOfKind is not null, fallback, QuotaPayer.Caller(caller.Key))));
        }

        // A caller that gives up stops waiting; the shared fetch carries on for the others (and for the cache).
        var fetch = flight.Value;
        if (!wait && await Task.WhenAny(fetch, Task.Delay(options.Value.RequestBudget, cancellationToken)) != fetch)
        {
            return fallback ?? (VideosLookup)new VideosLookup.Pending();
        }

        return await fetch.WaitAsync(cancellationToken);
    }

    /// <summary>One fetch per channel and kind at a time; the next request after it ends starts afresh.</summary>
    /// <param name="payer">The caller that started it: the Data API's units are its.</param>
    private async Task<VideosLookup> RunFlightAsync(string channelId, VideoKind kind, bool channelStored, VideosLookup.Found? fallback, QuotaPayer payer)
    {
        try
        {
            return await FetchOnceAsync(channelId, kind, channelStored, fallback, payer);
        }
        finally
        {
            _inFlight.TryRemove((channelId, kind), out _);
        }
    }

    private async Task<VideosLookup> FetchOnceAsync(string channelId, VideoKind kind, bool channelStored, VideosLookup.Found? fallback, QuotaPayer payer)
    {
        await Task.Yield(); // run outside the first caller's synchronous context
        var lockToken = await fetchLock.TryAcquireAsync(channelId, kind, FetchBudget);
        try
        {
            // Another instance may have finished this very fetch between our cache miss and now: look once more, in
            // the cache and then in the database (the Worker drops the cache entry once it has stored the fetch).
            if ((lockToken is not null
                    ? await CachedResultAsync(channelId, kind) ?? await StoredResultAsync(channelId, kind)
                    : await WaitForPeerAsync(channelId, kind)) is { } known)
            {
                return known;
            }

            await using var scope = scopeFactory.CreateAsyncScope();
            var source = scope.ServiceProvider.GetRequiredService<YouTubeVideoSource>();
            // Not the first caller's token (the others still want the answer), but never unbounded: every upstream
            // call has its own budget, and this one ends the flight even if something else stalls.
            using var budget = new CancellationTokenSource(FetchBudget);
            FetchResult result;
            try
            {
                result = await source.FetchAsync(channelId, payer, budget.Token, kind, channelStored);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                LogFetchAbandoned(channelId, FetchBudget.TotalSeconds);
                return fallback ?? (VideosLookup)new VideosLookup.Unavailable($"fetch abandoned after {FetchBudget.TotalSeconds:F0} s");
            }

            switch (result)
            {
                case FetchResult.Found { KindPlaylistMissing: true } when fallback is not null:
                    // Videos of this kind were listed in its playlist before, and now YouTube says there is no such
                    // playlist: the unpublished scheme may have stopped working. Not served as "none".
                    VideoAspireTelemetry.RecordKindPlaylist(kind, "vanished");
                    LogKindPlaylistVanished(channelId, kind, kind.PlaylistId(channelId));
                    // Cached like an answer: asked again once the entry expires, not on every read meanwhile.
                    await cache.FillFetchedAsync(channelId, kind, fallback.Videos);
                    return fallback;

                case FetchResult.Found(var snapshot):
                    var latest = snapshot.Latest(kind);
                    await cache.FillFetchedAsync(channelId, kind, latest);
                    await persistence.HandOffAsync(snapshot);
                    return new VideosLookup.Found(latest);

                case FetchResult.NotFound:
                    await unknownChannels.AddAsync(channelId, kind, options.Value.NegativeCacheTtl);
                    return new VideosLookup.NotFound();

                case FetchResult.Unavailable(var reason):
                    return fallback ?? (VideosLookup)new VideosLookup.Unavailable(reason);

                default:
                    throw new InvalidOperationException("Unexpected fetch result.");
            }
        }
        finally
        {
            if (lockToken is not null)
            {
                await fetchLock.ReleaseAsync(channelId, kind, lockToken);
            }
        }
    }

    /// <summary>Another instance is fetching: its answer lands in the latest-five cache or the negative cache.</summary>
    private async Task<VideosLookup?> WaitForPeerAsync(string channelId, VideoKind kind)
    {
        LogWaitingForPeer(channelId);
        var deadline = timeProvider.GetUtcNow() + FetchBudget;
        DateTimeOffset? peerDoneAt = null;
        while (timeProvider.GetUtcNow() < deadline)
        {
            await Task.Delay(100);
            var lockHeld = await fetchLock.IsHeldAsync(channelId, kind);
            if (await CachedResultAsync(channelId, kind) is { } result)
            {
                return result;
            }

            if (!lockHeld)
            {
                // The peer finished: its answer is stored, or on its way there through the hand-off while its cache
                // entry was already dropped (by the Worker storing another write of the channel: another kind of it,
                // say). Look for a moment; if nothing comes, it finished without one (YouTube unavailable) or died:
                // try ourselves.
                if (await StoredResultAsync(channelId, kind) is { } stored)
                {
                    return stored;
                }

                peerDoneAt ??= timeProvider.GetUtcNow();
                if (timeProvider.GetUtcNow() - peerDoneAt >= PeerResultGrace)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private async Task<VideosLookup?> CachedResultAsync(string channelId, VideoKind kind) =>
        await cache.GetAsync(channelId, kind) is { } videos ? new VideosLookup.Found(videos)
        : await unknownChannels.ContainsAsync(channelId, kind) ? new VideosLookup.NotFound()
        : null;

    /// <summary>The channel as PostgreSQL has it now, if stored with the kind read (null when not, or unreachable within the budget).</summary>
    private async Task<VideosLookup?> StoredResultAsync(string channelId, VideoKind kind) =>
        await database.ReadAsync(channelId, kind, CancellationToken.None) switch
        {
            { State: ChannelState.Stored, KindFetched: true, Videos: var videos } => new VideosLookup.Found(videos),
            { State: ChannelState.Deleted } => new VideosLookup.Deleted(),
            _ => null,
        };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch of {ChannelId} abandoned after {BudgetSeconds:F0} s")]
    private partial void LogFetchAbandoned(string channelId, double budgetSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Another instance is fetching {ChannelId}; waiting for its result")]
    private partial void LogWaitingForPeer(string channelId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "YouTube says {ChannelId} has no {Kind} playlist ({PlaylistId}) although it listed videos there before: the per-kind playlists may have stopped working; serving the stored ones")]
    private partial void LogKindPlaylistVanished(string channelId, VideoKind kind, string playlistId);
}
