using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace VideoAspire.Worker.Health;

/// <summary>
/// Not ready when Redis may evict keys without a TTL (<c>allkeys-*</c>): the hand-off stream has none, so under memory
/// pressure every video not yet persisted could be lost. The AppHost's own Redis runs <c>volatile-lru</c>; this catches
/// an existing server (<c>ConnectionStrings:cache</c>) configured otherwise.
/// </summary>
public sealed class HandoffEvictionHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            foreach (var server in redis.GetServers())
            {
                var memory = await server.InfoAsync("memory");
                var policy = memory.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "maxmemory_policy").Value;
                if (policy is not null && policy.StartsWith("allkeys-", StringComparison.Ordinal))
                {
                    return HealthCheckResult.Unhealthy(
                        $"Redis {server.EndPoint} evicts keys without a TTL (maxmemory-policy {policy}): the hand-off stream could be " +
                        "evicted with every video not yet persisted. Use volatile-lru (or noeviction).");
                }
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis being down is the Redis health check's to report.
            return HealthCheckResult.Healthy("Redis unreachable; eviction policy not checked.");
        }
    }
}
