using Microsoft.AspNetCore.OutputCaching;
using ZiggyCreatures.Caching.Fusion;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// The output cache on FusionCache (evaluated against the hand-written memory level): FusionCache's memory level, its
/// Redis level (an <c>IDistributedCache</c> on the shared connection), its Redis backplane and its tags.
/// </summary>
/// <param name="beforeSharedRead">Called with the key just before a read goes to Redis (the Api sends the channel's
/// latest-five read with it).</param>
public sealed class FusionOutputCacheStore(IFusionCache cache, CacheOptions options, Action<string, long>? beforeSharedRead, TimeProvider time)
    : IOutputCacheStore
{
    private static readonly FusionCacheEntryOptions LocalOnly = new() { SkipDistributedCacheRead = true, Size = 1 };

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (beforeSharedRead is null)
        {
            return (await cache.TryGetAsync<byte[]>(key, token: cancellationToken)).GetValueOrDefault(null!);
        }

        var local = await cache.TryGetAsync<byte[]>(key, LocalOnly, cancellationToken);
        if (local.HasValue)
        {
            return local.Value;
        }

        beforeSharedRead(key, time.GetTimestamp());
        return (await cache.TryGetAsync<byte[]>(key, token: cancellationToken)).GetValueOrDefault(null!);
    }

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken) =>
        cache.SetAsync(key, value, new FusionCacheEntryOptions
        {
            Duration = validFor,
            MemoryCacheDuration = validFor < options.LocalTtl ? validFor : options.LocalTtl,
            Size = value.Length + 2L * key.Length + 200,
            AllowBackgroundDistributedCacheOperations = true,
        }, tags, cancellationToken);

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) =>
        cache.RemoveByTagAsync(tag, token: cancellationToken);
}
