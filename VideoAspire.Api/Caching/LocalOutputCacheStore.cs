using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Caching;

/// <summary>
/// The output cache in two levels: this instance's memory (bounded by <see cref="CacheOptions.LocalSizeLimitMegabytes"/>)
/// in front of Redis, which every replica shares. A hot channel is answered without a Redis round trip. For a channel's
/// answer the Redis level is the channel's latest-five entry (one MGET, answered by the endpoint); other answers are
/// stored in the Redis output-cache store.
/// </summary>
/// <remarks>
/// Staying fresh across replicas: every tag eviction (from any Api replica or the Worker) is published on
/// <see cref="CacheKeys.OutputCacheEvictions"/>. Each instance records when it heard of a tag's eviction, and a local
/// entry stored before its tag's last eviction is a miss. Entries live at most <see cref="CacheOptions.LocalTtl"/>, and
/// the local level is dropped whenever the Redis connection fails or is restored, since a message may have been missed.
/// Values written to Redis carry their tags in a small header, so an instance that loads one can still evict it by tag.
/// Hand-written rather than FusionCache, which measured slower on every read scenario (docs/benchmarks.md).
/// </remarks>
public sealed partial class LocalOutputCacheStore : IOutputCacheBufferStore, IDisposable
{
    private readonly IOutputCacheStore _shared;
    private readonly IConnectionMultiplexer _redis;
    private readonly IHttpContextAccessor _httpContext;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalOutputCacheStore> _logger;
    private readonly MemoryCache _entries;
    private readonly TimeSpan _localTtl;
    private readonly bool _enabled;

    /// <summary>When (timestamp) this instance last heard that a tag was evicted; pruned once older than any entry.</summary>
    private readonly ConcurrentDictionary<string, long> _tagEvictedAt = new(StringComparer.Ordinal);

    private readonly ITimer _pruneTimer;

    /// <summary>More distinct evicted tags than this within one local TTL: forget them all and empty the memory level.</summary>
    private const int MaxRememberedEvictions = 100_000;

    private int _evictionsSincePrune;

    /// <summary>Entries stored before this timestamp are stale, whatever their tags (set when the level is dropped).</summary>
    private long _droppedAt;

    private int _subscribed;

    public LocalOutputCacheStore(
        IOutputCacheStore shared,
        IConnectionMultiplexer redis,
        IHttpContextAccessor httpContext,
        IOptions<CacheOptions> options,
        TimeProvider time,
        ILogger<LocalOutputCacheStore> logger)
    {
        _shared = shared;
        _redis = redis;
        _httpContext = httpContext;
        _time = time;
        _logger = logger;
        _localTtl = options.Value.LocalTtl;
        _enabled = options.Value.LocalSizeLimitMegabytes > 0 && _localTtl > TimeSpan.Zero;
        _entries = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = Math.Max(1, options.Value.LocalSizeLimitMegabytes) * 1024L * 1024L,
            ExpirationScanFrequency = TimeSpan.FromSeconds(10),
        });

        if (_enabled)
        {
            _redis.ConnectionFailed += DropEverything;
            _redis.ConnectionRestored += DropEverything;
            Subscribe();
        }

        var pruneEvery = _localTtl > TimeSpan.Zero ? _localTtl : TimeSpan.FromMinutes(1);
        _pruneTimer = _time.CreateTimer(_ => PruneEvictions(), null, pruneEvery, pruneEvery);
    }

    /// <summary>Listens for evictions published by any instance; retried on reconnect if Redis was down at start.</summary>
    private void Subscribe()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Subscribe(CacheKeys.OutputCacheEvictions, (_, tag) => NoteEviction(tag!));
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            Volatile.Write(ref _subscribed, 0);
        }
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (TryGetLocal(key, out var local))
        {
            return local.Value.ToArray();
        }

        return await GetSharedAsync(key, cancellationToken) is { } shared ? shared.ToArray() : null;
    }

    public ValueTask<bool> TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        if (TryGetLocal(key, out var local))
        {
            destination.Write(local.Value.Span);
            return ValueTask.FromResult(true);
        }

        return TryGetSharedAsync(key, destination, cancellationToken);
    }

    private async ValueTask<bool> TryGetSharedAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        if (await GetSharedAsync(key, cancellationToken) is not { } value)
        {
            return false;
        }

        await destination.WriteAsync(value, cancellationToken);
        return true;
    }

    private async ValueTask<ReadOnlyMemory<byte>?> GetSharedAsync(string key, CancellationToken cancellationToken)
    {
        // Taken before the read: an eviction heard while Redis answers makes this copy stale, not fresh.
        var readStarted = _time.GetTimestamp();
        if (PrefetchLatestVideos(key) || _httpContext.HttpContext?.Features.Get<ReferenceRead>() is not null)
        {
            // A channel's answer is a pure function of its latest-five entry: Redis holds that entry, not a second copy
            // of the same videos as a response (and its tag set). Its read is sent; the endpoint finishes it. A read by
            // handle or URL sends it once the endpoint has resolved the channel.
            Record(OutputCacheLevel.None);
            return null;
        }

        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("output cache get", ActivityKind.Client);
        activity?.SetTag("db.system", "redis");
        var stored = await _shared.GetAsync(key, cancellationToken);
        if (stored is null || !TryUnwrap(stored, out var tags, out var value))
        {
            Record(OutputCacheLevel.None);
            return null;
        }

        Record(OutputCacheLevel.Redis);
        StoreLocal(key, value, tags, readStarted);
        return value;
    }

    /// <summary>
    /// For a channel's answer, sends the read of its latest-five entry (with its write version: one command, one round
    /// trip), for the endpoint to finish. False for any other key.
    /// </summary>
    private bool PrefetchLatestVideos(string key)
    {
        if (_httpContext.HttpContext is not { } context || !ChannelOutputCachePolicy.TryGetChannelId(key, out var channelId))
        {
            return false;
        }

        context.Features.Set(new PrefetchedCacheRead(ChannelCache.BeginGet(_redis.GetDatabase(), channelId, _time)));
        return true;
    }

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken) =>
        SetAsync(key, new ReadOnlySequence<byte>(value), tags ?? [], validFor, cancellationToken);

    /// <summary>
    /// A channel's answer is kept in memory only: in Redis its latest-five entry is its answer (the memory level admits it
    /// the second time it is asked for, from that entry, so a channel read once never displaces a hot one; the first read
    /// is not stored at all: <see cref="ChannelOutputCachePolicy"/>). Any other answer (a kind's, the documents) is
    /// stored in Redis too, without waiting for it (a failure is logged and counted by the fail-soft store).
    /// </summary>
    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, ReadOnlyMemory<string> tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var prefetched = _httpContext.HttpContext?.Features.Get<PrefetchedCacheRead>();
        var wrapped = Wrap(value, tags.Span);
        var tagArray = tags.ToArray();
        if (!ChannelOutputCachePolicy.TryGetChannelId(key, out _) && _httpContext.HttpContext?.Features.Get<ReferenceRead>() is null)
        {
            _ = _shared.SetAsync(key, wrapped, tagArray, validFor, CancellationToken.None).AsTask();
        }

        if (prefetched is { FoundEntry: true })
        {
            // Answered from the latest-five entry (Redis is up, so evictions are heard): the channel's second read.
            // Stale if its tag was evicted after that read was sent.
            StoreLocal(key, wrapped.AsMemory(wrapped.Length - (int)value.Length), tagArray, prefetched.SentAt);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Evicts locally at once, then in Redis, which also tells every other instance.</summary>
    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        NoteEviction(tag);
        await _shared.EvictByTagAsync(tag, cancellationToken);
    }

    private bool TryGetLocal(string key, out LocalEntry entry)
    {
        entry = null!;
        if (!_enabled || !_entries.TryGetValue(key, out var found) || found is not LocalEntry candidate)
        {
            return false;
        }

        if (IsEvictedSince(candidate.Tags, candidate.StoredAt))
        {
            _entries.Remove(key);
            return false;
        }

        entry = candidate;
        Record(OutputCacheLevel.Memory);
        return true;
    }

    private void StoreLocal(string key, ReadOnlyMemory<byte> value, string[] tags, long storedAt)
    {
        if (!_enabled || IsEvictedSince(tags, storedAt))
        {
            return;
        }

        _entries.Set(key, new LocalEntry(value, tags, storedAt), new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = _localTtl,
            // What the entry holds in memory: the bytes, the key and tags as UTF-16, and the objects around them.
            Size = value.Length + 2L * key.Length + tags.Sum(t => 2L * t.Length) + 200,
        });
    }

    private bool IsEvictedSince(string[] tags, long timestamp)
    {
        if (Interlocked.Read(ref _droppedAt) >= timestamp)
        {
            return true;
        }

        foreach (var tag in tags)
        {
            if (_tagEvictedAt.TryGetValue(tag, out var evictedAt) && evictedAt >= timestamp)
            {
                return true;
            }
        }

        return false;
    }

    private void NoteEviction(string tag)
    {
        _tagEvictedAt[tag] = _time.GetTimestamp();
        if (Interlocked.Increment(ref _evictionsSincePrune) > MaxRememberedEvictions)
        {
            // An eviction storm: drop the whole level (anything stored before now is stale), then the notices.
            DropLocalLevel();
            _tagEvictedAt.Clear();
            Interlocked.Exchange(ref _evictionsSincePrune, 0);
        }
    }

    private void DropLocalLevel()
    {
        Interlocked.Exchange(ref _droppedAt, _time.GetTimestamp());
        _entries.Clear();
    }

    /// <summary>An eviction older than the local TTL can no longer concern any entry: forget it, so memory stays bounded.</summary>
    private void PruneEvictions()
    {
        Interlocked.Exchange(ref _evictionsSincePrune, _tagEvictedAt.Count);
        var now = _time.GetTimestamp();
        foreach (var (tag, evictedAt) in _tagEvictedAt)
        {
            if (_time.GetElapsedTime(evictedAt, now) > _localTtl + TimeSpan.FromSeconds(1))
            {
                _tagEvictedAt.TryRemove(new KeyValuePair<string, long>(tag, evictedAt));
            }
        }
    }

    private void DropEverything(object? sender, ConnectionFailedEventArgs args)
    {
        DropLocalLevel();
        Subscribe();
        LogLocalLevelDropped(args.FailureType);
    }

    private static void Record(OutputCacheLevel level)
    {
        if (level == OutputCacheLevel.None)
        {
            VideoAspireTelemetry.OutputCacheMisses.Add(1);
        }
        else
        {
            VideoAspireTelemetry.OutputCacheHits.Add(1, new KeyValuePair<string, object?>("level", level == OutputCacheLevel.Memory ? "memory" : "redis"));
        }

        Activity.Current?.SetTag("videoaspire.output_cache", level switch
        {
            OutputCacheLevel.Memory => "memory hit",
            OutputCacheLevel.Redis => "redis hit",
            _ => "miss",
        });
    }

    // Shared value layout: [format byte][tag count: u16] then per tag [length: u16][UTF-8 bytes], then the payload.
    private const byte FormatVersion = 1;

    private static byte[] Wrap(ReadOnlySequence<byte> payload, ReadOnlySpan<string> tags)
    {
        var header = 3;
        foreach (var tag in tags)
        {
            header += 2 + Encoding.UTF8.GetByteCount(tag);
        }

        var wrapped = new byte[header + payload.Length];
        wrapped[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16BigEndian(wrapped.AsSpan(1), (ushort)tags.Length);
        var offset = 3;
        foreach (var tag in tags)
        {
            var length = Encoding.UTF8.GetBytes(tag, wrapped.AsSpan(offset + 2));
            BinaryPrimitives.WriteUInt16BigEndian(wrapped.AsSpan(offset), (ushort)length);
            offset += 2 + length;
        }

        payload.CopyTo(wrapped.AsSpan(offset));
        return wrapped;
    }

    private static bool TryUnwrap(byte[] stored, out string[] tags, out ReadOnlyMemory<byte> payload)
    {
        tags = [];
        payload = default;
        if (stored.Length < 3 || stored[0] != FormatVersion)
        {
            return false; // written by another format: a miss, recomputed and rewritten
        }

        var span = stored.AsSpan();
        var count = BinaryPrimitives.ReadUInt16BigEndian(span[1..]);
        tags = new string[count];
        var offset = 3;
        for (var i = 0; i < count; i++)
        {
            if (offset + 2 > span.Length)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
            if (offset + 2 + length > span.Length)
            {
                return false;
            }

            tags[i] = Encoding.UTF8.GetString(span.Slice(offset + 2, length));
            offset += 2 + length;
        }

        payload = stored.AsMemory(offset);
        return true;
    }

    public void Dispose()
    {
        _pruneTimer.Dispose();
        _entries.Dispose();
        if (_enabled)
        {
            _redis.ConnectionFailed -= DropEverything;
            _redis.ConnectionRestored -= DropEverything;
        }
    }

    private sealed record LocalEntry(ReadOnlyMemory<byte> Value, string[] Tags, long StoredAt);

    private enum OutputCacheLevel
    {
        None,
        Memory,
        Redis,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis connection changed ({FailureType}): dropped the local output cache, an eviction may have been missed")]
    private partial void LogLocalLevelDropped(ConnectionFailureType failureType);
}
