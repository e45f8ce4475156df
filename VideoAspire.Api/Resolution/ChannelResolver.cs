using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Data;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Caching;
using VideoAspire.YouTube;

namespace VideoAspire.Api.Resolution;

/// <summary>
/// Which channel a handle, legacy username or custom URL names, asked of YouTube once per <c>YouTube:HandleTtl</c>:
/// this instance's memory, then Redis (shared by every replica), then PostgreSQL, then YouTube, one resolution at a time
/// per reference across replicas (an in-memory single flight, then the Redis lock; the others wait for its answer in
/// Redis). A new resolution counts against the caller's cold-lookup allowance and its Data API units. "No such name" is
/// remembered for <c>YouTube:NegativeCacheTtl</c>, like an unknown channel.
/// </summary>
public sealed partial class ChannelResolver(
    IServiceScopeFactory scopeFactory,
    ResolutionCache shared,
    FetchLock locks,
    ColdLookupLimiter coldLookups,
    IOptions<YouTubeOptions> options,
    TimeProvider time,
    ILogger<ChannelResolver> logger) : IDisposable
{
    /// <summary>Resolutions this instance has seen, up to this many (an entry is a few hundred bytes).</summary>
    private const int MemoryEntries = 100_000;

    private static readonly TimeSpan PeerPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = MemoryEntries });
    private readonly ConcurrentDictionary<string, Lazy<Task<ReferenceLookup>>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The longest one resolution may take (the Data API, then the page), and so its lock's life.</summary>
    private TimeSpan Budget => options.Value.TotalTimeout * 2 + TimeSpan.FromSeconds(1);

    /// <summary>The channel of a reference resolved on this instance and still believed; no I/O.</summary>
    public bool TryGetRemembered(ChannelReference reference, out string channelId)
    {
        channelId = reference.Kind == ChannelReferenceKind.Id ? reference.Name : "";
        if (channelId.Length > 0)
        {
            return true;
        }

        if (_memory.TryGetValue(reference.Key, out CachedResolution? cached) && cached!.ChannelId is { } id)
        {
            channelId = id;
            return true;
        }

        return false;
    }

    public async Task<ReferenceLookup> ResolveAsync(ChannelReference reference, Caller caller, CancellationToken cancellationToken)
    {
        if (reference.Kind == ChannelReferenceKind.Id)
        {
            return new ReferenceLookup.Found(reference.Name, null, null);
        }

        if (_memory.TryGetValue(reference.Key, out CachedResolution? remembered))
        {
            return Answer(remembered!);
        }

        if (await shared.GetAsync(reference.Key) is { } cached && IsFresh(cached))
        {
            Remember(reference.Key, cached);
            return Answer(cached);
        }

        var stored = await ReadStoredAsync(reference.Key, cancellationToken);
        if (stored is not null && IsFresh(stored))
        {
            await shared.SetAsync(reference.Key, stored);
            Remember(reference.Key, stored);
            return Answer(stored);
        }

        if (!_inFlight.TryGetValue(reference.Key, out var flight))
        {
            if (await coldLookups.TryAcquireAsync(caller) is { } retryAfter)
            {
                // What was believed until lately still beats a refusal.
                return stored is { Exists: true } ? Answer(stored) : new ReferenceLookup.Throttled(retryAfter);
            }

            flight = _inFlight.GetOrAdd(reference.Key,
                _ => new Lazy<Task<ReferenceLookup>>(() => RunFlightAsync(reference, stored, QuotaPayer.Caller(caller.Key))));
        }

        return await flight.Value.WaitAsync(cancellationToken);
    }

    private async Task<ReferenceLookup> RunFlightAsync(ChannelReference reference, CachedResolution? expired, QuotaPayer payer)
    {
        try
        {
            return await FlightAsync(reference, expired, payer);
        }
        finally
        {
            _inFlight.TryRemove(reference.Key, out _);
        }
    }

    private async Task<ReferenceLookup> FlightAsync(ChannelReference reference, CachedResolution? expired, QuotaPayer payer)
    {
        await Task.Yield(); // outside the first caller's synchronous context
        var lockKey = CacheKeys.ResolutionLock(reference.Key);
        var lockToken = await locks.TryAcquireAsync(lockKey, Budget);
        try
        {
            if (lockToken is null)
            {
                // Another replica is asking YouTube: its answer lands in Redis.
                var deadline = time.GetUtcNow() + Budget;
                while (time.GetUtcNow() < deadline)
                {
                    if (await shared.GetAsync(reference.Key) is { } peer && IsFresh(peer))
                    {
                        Remember(reference.Key, peer);
                        return Answer(peer);
                    }

                    if (!await locks.IsHeldAsync(lockKey))
                    {
                        // Released: a peer that resolved it stored the answer before letting go (our read above may
                        // have come just before that store).
                        if (await shared.GetAsync(reference.Key) is { } released && IsFresh(released))
                        {
                            Remember(reference.Key, released);
                            return Answer(released);
                        }

                        break;
                    }

                    await Task.Delay(PeerPollInterval, time);
                }
            }
            else if (await shared.GetAsync(reference.Key) is { } justResolved && IsFresh(justResolved))
            {
                // A peer finished between our miss and the lock.
                Remember(reference.Key, justResolved);
                return Answer(justResolved);
            }

            await using var scope = scopeFactory.CreateAsyncScope();
            var youTube = scope.ServiceProvider.GetRequiredService<YouTubeChannelResolver>();
            using var budget = new CancellationTokenSource(Budget);
            ChannelResolution result;
            try
            {
                result = await youTube.ResolveAsync(reference, payer, budget.Token);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                result = new ChannelResolution.Unavailable($"abandoned after {Budget.TotalSeconds:F0} s");
            }

            var now = time.GetUtcNow();
            var resolution = result switch
            {
                ChannelResolution.Found found => new CachedResolution(found.ChannelId,
                    found.Handle ?? (reference.Kind == ChannelReferenceKind.Handle ? reference.Key : null), found.Title, now + options.Value.HandleTtl),
                ChannelResolution.NotFound => new CachedResolution(null, null, null, now + options.Value.NegativeCacheTtl),
                _ => null,
            };

            if (resolution is null)
            {
                LogUnresolved(reference.Key, ((ChannelResolution.Unavailable)result).Reason);
                return expired is { Exists: true } ? Answer(expired) : new ReferenceLookup.Unavailable(((ChannelResolution.Unavailable)result).Reason);
            }

            await StoreAsync(scope.ServiceProvider, reference.Key, resolution, now);
            await shared.SetAsync(reference.Key, resolution);
            Remember(reference.Key, resolution);
            return Answer(resolution);
        }
        finally
        {
            if (lockToken is not null)
            {
                await locks.ReleaseAsync(lockKey, lockToken);
            }
        }
    }

    private bool IsFresh(CachedResolution resolution) => resolution.ExpiresAt > time.GetUtcNow();

    private void Remember(string key, CachedResolution resolution) =>
        _memory.Set(key, resolution, new MemoryCacheEntryOptions { AbsoluteExpiration = resolution.ExpiresAt, Size = 1 });

    private static ReferenceLookup Answer(CachedResolution resolution) => resolution.ChannelId is { } channelId
        ? new ReferenceLookup.Found(channelId, resolution.Handle, resolution.Title)
        : new ReferenceLookup.NotFound();

    private async Task<CachedResolution?> ReadStoredAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();
            return await db.ChannelResolutions.AsNoTracking()
                .Where(r => r.Reference == key)
                .Select(r => new CachedResolution(r.ChannelId, r.Handle, r.Title, r.ExpiresAt))
                .FirstOrDefaultAsync(cancellationToken);
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex))
        {
            return null; // PostgreSQL down: YouTube is asked (and the answer kept in Redis)
        }
    }

    private async Task StoreAsync(IServiceProvider services, string key, CachedResolution resolution, DateTimeOffset now)
    {
        try
        {
            var db = services.GetRequiredService<VideosDbContext>();
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO channel_references (reference, channel_id, handle, title, resolved_at, expires_at)
                VALUES ({key}, {resolution.ChannelId}, {resolution.Handle}, {Truncate(resolution.Title)}, {now}, {resolution.ExpiresAt})
                ON CONFLICT (reference) DO UPDATE SET channel_id = excluded.channel_id, handle = excluded.handle,
                    title = excluded.title, resolved_at = excluded.resolved_at, expires_at = excluded.expires_at
                """);
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex))
        {
            LogNotStored(ex, key); // Redis still holds it; the next resolution after it expires stores it again
        }
    }

    private static string? Truncate(string? title) => title is { Length: > 200 } ? title[..200] : title;

    public void Dispose() => _memory.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve {Reference}: {Reason}")]
    private partial void LogUnresolved(string reference, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The resolution of {Reference} was not stored in PostgreSQL")]
    private partial void LogNotStored(Exception exception, string reference);
}
