using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace VideoAspire.Worker.Health;

/// <summary>
/// Not ready when Redis may evict keys without a TTL (<c>allkeys-*</c>): the hand-off stream has none, so under memory
/// pressure every video not yet persisted could be lost. The AppHost's own Redis runs <c>volatile-lru</c>; this catches
/// an existing server (<c>ConnectionStrings:cache</c>) configured otherwise.
/// </summary>
public sealed class HandoffEvictionHealthCheck([FromKeyedServices(ResourceNames.Queue)] IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // INFO through Execute: IServer.Info needs an admin connection, which the services do not open.
            var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "memory") ?? "";
            var policy = info.Split('\n').Select(line => line.Trim())
                .FirstOrDefault(line => line.StartsWith("maxmemory_policy:", StringComparison.Ordinal))?["maxmemory_policy:".Length..];
            return policy is not null && policy.StartsWith("allkeys-", StringComparison.Ordinal)
                ? HealthCheckResult.Unhealthy(
                    $"Redis evicts keys without a TTL (maxmemory-policy {policy}): the hand-off stream could be evicted with every " +
                    "video not yet persisted. Use volatile-lru (or noeviction).")
                : HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis being down is the Redis health check's to report; a server that hides INFO cannot be checked.
            return HealthCheckResult.Healthy($"Eviction policy not checked: {ex.Message}");
        }
    }
}
