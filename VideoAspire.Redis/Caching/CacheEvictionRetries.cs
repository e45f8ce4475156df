using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// Cache evictions that failed after a database write (Redis down), retried every few seconds until Redis takes them.
/// A write never fails or waits for its cache: the database is the truth, and until the eviction lands a reader can
/// see the previous answer for at most the cache's TTL. Bounded: past the cap the oldest answers simply expire.
/// </summary>
public sealed partial class CacheEvictionRetries(LatestVideosCache cache, ILogger<CacheEvictionRetries> logger) : BackgroundService
{
    public const int Capacity = 100_000;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    public void Add(string channelId)
    {
        if (_pending.Count < Capacity && _pending.TryAdd(channelId, 0))
        {
            VideoAspireTelemetry.PendingEvictions.Add(1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Export both series from the start (at 0): the dashboard charts them, and an absent series reads as "no data".
        VideoAspireTelemetry.PendingEvictions.Add(0);
        VideoAspireTelemetry.CacheErrors.Add(0);

        using var timer = new PeriodicTimer(RetryInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RetryAsync(stoppingToken);
        }
    }

    internal async Task RetryAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var channelId in _pending.Keys)
        {
            if (!await cache.InvalidateAsync(channelId, cancellationToken))
            {
                break; // Redis still down: try the rest on the next tick
            }

            _pending.TryRemove(channelId, out _);
            VideoAspireTelemetry.PendingEvictions.Add(-1);
            done++;
        }

        if (done > 0)
        {
            LogRetried(done, _pending.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} cache evictions that had failed; {Remaining} still pending")]
    private partial void LogRetried(int count, int remaining);
}
