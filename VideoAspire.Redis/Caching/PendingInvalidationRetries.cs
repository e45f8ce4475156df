using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Caching;

/// <summary>Retries, every few seconds, the invalidations Redis could not take (<see cref="ChannelCache.InvalidateAsync"/>).</summary>
public sealed partial class PendingInvalidationRetries(ChannelCache cache, ILogger<PendingInvalidationRetries> logger) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Export both series from the start (at 0): the dashboard charts them, and an absent series reads as "no data".
        VideoAspireTelemetry.PendingEvictions.Add(0);
        VideoAspireTelemetry.CacheErrors.Add(0);

        using var timer = new PeriodicTimer(RetryInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (await cache.RetryPendingAsync(stoppingToken) is > 0 and var done)
            {
                LogRetried(done, cache.PendingCount);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} cache invalidations that had failed; {Remaining} still pending")]
    private partial void LogRetried(int count, int remaining);
}
