using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;
using VideoAspire.Redis.Connection;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// Wraps the Redis output-cache store so that Redis being down turns into cache misses instead of 500s:
/// the output-cache middleware does not catch store failures itself.
/// </summary>
internal sealed class FailSoftOutputCacheStore(IOutputCacheStore inner, IConnectionMultiplexer redis, Outages outages)
    : IOutputCacheBufferStore
{
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetAsync(key, cancellationToken);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            Degrade(ex, "get");
            return null;
        }
    }

    public async ValueTask<bool> TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        try
        {
            if (inner is IOutputCacheBufferStore buffered)
            {
                return await buffered.TryGetAsync(key, destination, cancellationToken);
            }

            var value = await inner.GetAsync(key, cancellationToken);
            if (value is null)
            {
                return false;
            }

            await destination.WriteAsync(value, cancellationToken);
            return true;
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            Degrade(ex, "get");
            return false;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        try
        {
            await inner.SetAsync(key, value, tags, validFor, cancellationToken);
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            Degrade(ex, "set");
        }
    }

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, ReadOnlyMemory<string> tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        try
        {
            if (inner is IOutputCacheBufferStore buffered)
            {
                await buffered.SetAsync(key, value, tags, validFor, cancellationToken);
            }
            else
            {
                await inner.SetAsync(key, value.ToArray(), tags.ToArray(), validFor, cancellationToken);
            }
        }
        catch (Exception ex) when (RedisFailures.IsFailure(ex))
        {
            Degrade(ex, "set");
        }
    }

    /// <summary>
    /// Evicts in Redis, then announces the eviction so every Api instance drops its in-memory copy. Failures propagate:
    /// callers that change data must know the stale entry may survive.
    /// </summary>
    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        await inner.EvictByTagAsync(tag, cancellationToken);
        await redis.GetSubscriber().PublishAsync(CacheKeys.OutputCacheEvictions, tag);
    }


    private void Degrade(Exception ex, string operation) => outages.Degraded(ex, $"output-{operation}");
}
