using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// The one way in to a channel's cached answers: its latest-five entry (one Redis string per channel and kind holding
/// its newest videos as JSON) and its output-cached responses. Four verbs — get, fill, invalidate, re-warm — and the
/// rules that keep them right: read-your-writes (<see cref="MustReadPrimaryAsync"/>), the deletion mark that keeps
/// fills out of a deleted channel, and the fences that keep a fill or a re-warm older than a write from landing after
/// it (a read's fill compares the channel's write version with the one its lookup saw).
/// Redis is an accelerator, never a dependency: a failed get is a miss, a failed fill is skipped, a failed invalidation
/// is retried in the background (a write never fails or waits for its cache).
/// </summary>
public sealed partial class ChannelCache(
    IConnectionMultiplexer redis,
    IOutputCacheStore outputCache,
    IOptions<CacheOptions> options,
    TimeProvider time,
    Outages outages,
    ILogger<ChannelCache> logger) : IChannelCacheInvalidation
{
    /// <summary>How many failed invalidations are remembered for retry; past it, the oldest answers simply expire.</summary>
    public const int PendingCapacity = 100_000;

    private readonly ConcurrentDictionary<string, DeletionMark> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends the read of the channel's entry now, to be finished by <see cref="LookupAsync"/> if the caller turns out to
    /// need it: issued together with another Redis read, both answers come back in one round trip. Counts nothing yet.
    /// </summary>
    /// <remarks>Static, for the output-cache store (this cache depends on the store: the other way round would be a cycle).</remarks>
    public static PendingCacheRead BeginGet(IDatabase redis, string channelId, TimeProvider time) =>
        new(channelId, SendRead(redis, channelId, VideoKind.All), time.GetTimestamp());

    /// <summary>One command for the entry and the write version (one slot: the channel's hash tag).</summary>
    private static Task<RedisValue[]> SendRead(IDatabase redis, string channelId, VideoKind kind)
    {
        Task<RedisValue[]> read;
        try
        {
            read = redis.StringGetAsync([CacheKeys.LatestVideos(channelId, kind), CacheKeys.RecentlyWritten(channelId)]);
        }
        catch (RedisCommandException ex)
        {
            // Refused before it was sent (a command the server or the command map does not allow, a cross-slot key):
            // a failed read like any other, for LookupAsync to count.
            read = Task.FromException<RedisValue[]>(ex);
        }

        // A read nobody finishes (the answer came from elsewhere) must not surface as an unobserved exception.
        read.ContinueWith(static failed => _ = failed.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return read;
    }

    /// <summary>The channel's fresh entry, or null on a miss, a stale entry, or when Redis does not answer.</summary>
    public async Task<IReadOnlyList<LatestVideo>?> GetAsync(string channelId, VideoKind kind = VideoKind.All) =>
        (await LookupAsync(channelId, kind)).Fresh;

    /// <param name="started">A read of the <see cref="VideoKind.All"/> entry sent earlier by <see cref="BeginGet"/>
    /// (ignored for another kind); without one, the read is sent now.</param>
    public async Task<CacheLookup> LookupAsync(string channelId, VideoKind kind = VideoKind.All, PendingCacheRead? started = null)
    {
        var read = kind == VideoKind.All && started is { } sent && sent.ChannelId == channelId
            ? sent
            : new PendingCacheRead(channelId, SendRead(redis.GetDatabase(), channelId, kind), time.GetTimestamp());
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("cache get", ActivityKind.Client);
        activity?.SetTag("db.system", "redis");
        activity?.SetTag("videoaspire.channel_id", channelId);
        activity?.SetTag("videoaspire.prefetched", started is not null);
        activity?.SetTag("videoaspire.kind", kind.Name());
        try
        {
            var values = await read.Values;
            var videos = Parse(values[0], out var freshUntil);
            var stale = videos is not null && freshUntil <= time.GetUtcNow();
            outages.Redis.Succeeded();
            activity?.SetTag("cache.hit", videos is not null && !stale);
            activity?.SetTag("cache.stale", stale);
            if (videos is null || stale)
            {
                VideoAspireTelemetry.CacheMisses.Add(1);
                LogCacheMiss(channelId, kind);
            }
            else
            {
                VideoAspireTelemetry.CacheHits.Add(1);
                LogCacheHit(channelId, kind);
            }

            return new CacheLookup(channelId, kind, videos, values[1].IsNull ? 0 : (long)values[1], read.SentAt, stale, freshUntil);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            VideoAspireTelemetry.CacheMisses.Add(1);
            outages.Degraded(ex, "get", activity);
            return new CacheLookup(channelId, kind, null, -1, read.SentAt);
        }
    }

    /// <summary>
    /// Stores what a read found in PostgreSQL after <paramref name="readBefore"/> missed, unless the channel was written
    /// or deleted since that lookup (the database read may predate the write, whose invalidation has already run), or,
    /// for a read from a replica, written within <see cref="CacheOptions.ReadYourWritesWindow"/> (the replica's answer
    /// may predate it). Not awaited by Redis: the answer is already on its way.
    /// </summary>
    public async Task FillAsync(CacheLookup readBefore, IReadOnlyList<LatestVideo> videos, bool fromReplica)
    {
        // Unknown version (Redis did not answer), or a lookup so old that a write's version may have expired since.
        if (readBefore.WriteVersion < 0 || time.GetElapsedTime(readBefore.SentAt) + FenceMargin >= options.Value.ReadYourWritesWindow
            || (fromReplica && readBefore.RecentlyWritten))
        {
            return;
        }

        using var activity = StartSet(readBefore.ChannelId);
        try
        {
            // KEYS: the entry, the write version, the deletion mark. ARGV: the list, its lifetime (ms), the version read.
            await redis.GetDatabase().ScriptEvaluateAsync("""
                if redis.call('exists', KEYS[3]) == 1 then return end
                if tonumber(redis.call('get', KEYS[2]) or '0') ~= tonumber(ARGV[3]) then return end
                redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
                """,
                [CacheKeys.LatestVideos(readBefore.ChannelId, readBefore.Kind), CacheKeys.RecentlyWritten(readBefore.ChannelId),
                    CacheKeys.DeletedChannel(readBefore.ChannelId)],
                [Serialize(videos), EntryLifetimeMilliseconds, readBefore.WriteVersion], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "set", activity);
        }
    }

    /// <summary>
    /// Stores what a cold fetch got from YouTube, unless the channel was deleted meanwhile (a fetch that began just before
    /// a delete committed must not write it back after the delete dropped the entry). Awaited: the answer it caches is
    /// the one the next read of the channel must find.
    /// </summary>
    public async Task FillFetchedAsync(string channelId, VideoKind kind, IReadOnlyList<LatestVideo> videos)
    {
        using var activity = StartSet(channelId);
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                "if redis.call('exists', KEYS[2]) == 0 then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) end",
                [CacheKeys.LatestVideos(channelId, kind), CacheKeys.DeletedChannel(channelId)],
                [Serialize(videos), EntryLifetimeMilliseconds]);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "set", activity);
        }
    }

    /// <summary>Read-your-writes: whether a database read of the channel must go to the primary because the channel was
    /// written within <see cref="CacheOptions.ReadYourWritesWindow"/> (when unsure: yes). A lookup already knows
    /// (<see cref="CacheLookup.RecentlyWritten"/>).</summary>
    public async Task<bool> MustReadPrimaryAsync(string channelId)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(CacheKeys.RecentlyWritten(channelId));
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            return true;
        }
    }

    private static Activity? StartSet(string channelId)
    {
        var activity = VideoAspireTelemetry.ActivitySource.StartActivity("cache set", ActivityKind.Client);
        activity?.SetTag("db.system", "redis");
        activity?.SetTag("videoaspire.channel_id", channelId);
        return activity;
    }

    /// <summary>The entry as stored: fresh for <see cref="CacheOptions.Ttl"/> from now.</summary>
    private byte[] Serialize(IReadOnlyList<LatestVideo> videos) => LatestVideosEntry.Encode(videos, time.GetUtcNow() + options.Value.Ttl);

    /// <summary>How long an entry stays in Redis: fresh, then stale for up to <see cref="CacheOptions.MaxStaleness"/>.</summary>
    private long EntryLifetimeMilliseconds => (long)(options.Value.Ttl + options.Value.MaxStaleness).TotalMilliseconds;

    /// <summary>How long a deleted channel's deletion mark keeps late fills out: far longer than any fetch or read can
    /// take (the deletion in PostgreSQL is permanent; this mark guards the cache). An applied write removes it.</summary>
    private static readonly TimeSpan DeletionMarkTtl = TimeSpan.FromHours(1);

    /// <summary>
    /// The Worker's re-warm from a batch read of PostgreSQL: replaces the channel's entry and evicts the channel's
    /// output-cache tag when the list differs, unless the channel was deleted, or written after the batch was read (the
    /// list may predate that write; the write's own invalidation already sent the next read to the primary). Returns
    /// whether the stored list was different.
    /// </summary>
    /// <param name="readStarted">When (<see cref="TimeProvider.GetTimestamp"/>) the batch's query began.</param>
    /// <remarks>
    /// "Written after" without comparing clocks: a write sets the channel's recently-written mark to live
    /// <see cref="CacheOptions.ReadYourWritesWindow"/>, so the mark's remaining time says how long ago the last write
    /// was, in Redis's own time, and the Worker says how long ago its read began, in its own.
    /// </remarks>
    public async Task<bool> RewarmAsync(string channelId, IReadOnlyList<LatestVideo> videos, long readStarted, CancellationToken cancellationToken)
    {
        var window = options.Value.ReadYourWritesWindow;
        var readAgo = time.GetElapsedTime(readStarted) + FenceMargin;
        if (readAgo >= window)
        {
            return false; // a write since could have left no mark any more: the next run reads afresh
        }

        long outcome;
        try
        {
            var entry = Serialize(videos);
            // The same list always encodes to the same bytes after the header (its freshness): comparing them is
            // comparing the lists.
            outcome = (long)await redis.GetDatabase().ScriptEvaluateAsync("""
                if redis.call('exists', KEYS[3]) == 1 then return -1 end
                local remaining = redis.call('pttl', KEYS[2])
                if remaining > 0 and tonumber(ARGV[4]) - remaining <= tonumber(ARGV[3]) then return -1 end
                local previous = redis.call('get', KEYS[1])
                redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
                if previous and string.sub(previous, ARGV[5]) == string.sub(ARGV[1], ARGV[5]) then return 0 end
                return 1
                """,
                [CacheKeys.LatestVideos(channelId), CacheKeys.RecentlyWritten(channelId), CacheKeys.DeletedChannel(channelId)],
                [entry, EntryLifetimeMilliseconds, (long)readAgo.TotalMilliseconds, (long)window.TotalMilliseconds,
                    LatestVideosEntry.HeaderLength + 1]);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            outages.Degraded(ex, "set");
            outcome = 1; // unsure whether the cached answers are current: evict them (which fails soft too)
        }

        if (outcome <= 0)
        {
            return false;
        }

        await EvictOutputCacheAsync(channelId, cancellationToken);
        return true;
    }

    /// <summary>Added to how long ago a fill's or re-warm's read began: the script runs a little after it was sent.</summary>
    private static readonly TimeSpan FenceMargin = TimeSpan.FromSeconds(1);

    /// <summary>Null for no entry, or a value not in the entry's form (as if there were none: it is replaced on the next fill).</summary>
    private static IReadOnlyList<LatestVideo>? Parse(RedisValue value, out DateTimeOffset freshUntil)
    {
        freshUntil = default;
        return !value.IsNull && LatestVideosEntry.TryDecode(((ReadOnlyMemory<byte>)value).Span, out var videos, out freshUntil) ? videos : null;
    }

    public Task ChannelChangedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, DeletionMark.Remove, cancellationToken);

    public Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken) =>
        InvalidateAsync(channelId, DeletionMark.Set, cancellationToken);

    /// <summary>
    /// After a write: drops the channel's latest-five entries and negative-cache marks of every kind and its cached
    /// responses (one tag for every kind), counts the write in the channel's write version (which marks it recently
    /// written: read from the primary meanwhile, and fences the fills of reads that began before), and
    /// sets or removes its deletion mark as <paramref name="deletionMark"/> says, in the same step as the drop. What
    /// Redis cannot take now is retried by <see cref="RetryPendingAsync"/>: the database is the truth and is written,
    /// and until the retry lands a reader can see the previous answer for at most the cache's TTL.
    /// </summary>
    public async Task InvalidateAsync(string channelId, DeletionMark deletionMark, CancellationToken cancellationToken)
    {
        if (await TryInvalidateAsync(channelId, deletionMark, cancellationToken))
        {
            // Done in full: an older failed one waiting for retry would only repeat it (with a mark now out of date).
            if (_pending.TryRemove(channelId, out _))
            {
                VideoAspireTelemetry.PendingEvictions.Add(-1);
            }
        }
        else if (_pending.Count < PendingCapacity || _pending.ContainsKey(channelId))
        {
            // The latest request's mark wins: a delete then a write of the same channel leaves the channel live.
            if (_pending.TryAdd(channelId, deletionMark))
            {
                VideoAspireTelemetry.PendingEvictions.Add(1);
            }
            else
            {
                _pending[channelId] = deletionMark;
            }
        }
    }

    /// <summary>Invalidations waiting for Redis.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Applies the invalidations Redis could not take, until it fails again; returns how many were applied.</summary>
    public async Task<int> RetryPendingAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var (channelId, deletionMark) in _pending)
        {
            if (!await TryInvalidateAsync(channelId, deletionMark, cancellationToken))
            {
                break; // Redis still down: the rest on the next round
            }

            if (!_pending.TryRemove(new KeyValuePair<string, DeletionMark>(channelId, deletionMark)))
            {
                continue; // asked again meanwhile, with another mark: retried with that one
            }

            VideoAspireTelemetry.PendingEvictions.Add(-1);
            done++;
        }

        return done;
    }

    private async Task<bool> TryInvalidateAsync(string channelId, DeletionMark deletionMark, CancellationToken cancellationToken)
    {
        var done = true;
        try
        {
            // KEYS: the write version (the recently-written mark), the deletion mark, then what goes. ARGV: the two
            // marks' lifetimes (ms; the deletion mark's: 0 keeps it as it is, -1 removes it).
            await redis.GetDatabase().ScriptEvaluateAsync("""
                redis.call('incr', KEYS[1])
                redis.call('pexpire', KEYS[1], ARGV[1])
                if ARGV[2] == '-1' then redis.call('del', KEYS[2])
                elseif ARGV[2] ~= '0' then redis.call('set', KEYS[2], '1', 'PX', ARGV[2]) end
                redis.call('del', unpack(KEYS, 3))
                """,
                [CacheKeys.RecentlyWritten(channelId), CacheKeys.DeletedChannel(channelId),
                    .. CacheKeys.AllLatestVideos(channelId), .. CacheKeys.AllUnknownChannel(channelId)],
                [(long)options.Value.ReadYourWritesWindow.TotalMilliseconds, deletionMark switch
                {
                    DeletionMark.Set => (long)DeletionMarkTtl.TotalMilliseconds,
                    DeletionMark.Remove => -1L,
                    _ => 0L,
                }]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outages.Degraded(ex, "invalidate");
            done = false;
        }

        return await EvictOutputCacheAsync(channelId, cancellationToken) && done;
    }

    /// <summary>False when the eviction failed (for whatever reason: it must never undo or block the write before it).</summary>
    private async Task<bool> EvictOutputCacheAsync(string channelId, CancellationToken cancellationToken)
    {
        try
        {
            await outputCache.EvictByTagAsync(CacheKeys.ChannelTag(channelId), cancellationToken);
            LogOutputCacheEvicted(channelId);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not only RedisException: the store's tag eviction wraps connection failures in AggregateException.
            outages.Degraded(ex, "evict");
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Latest-five cache hit for {ChannelId} ({Kind})")]
    private partial void LogCacheHit(string channelId, VideoKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Latest-five cache miss for {ChannelId} ({Kind})")]
    private partial void LogCacheMiss(string channelId, VideoKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted output cache of {ChannelId}")]
    private partial void LogOutputCacheEvicted(string channelId);
}
