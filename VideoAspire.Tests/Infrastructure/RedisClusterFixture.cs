namespace VideoAspire.Tests.Infrastructure;

/// <summary>The same product with its Redis a three-master Redis Cluster (the PostgreSQL is the AppHost's own).</summary>
public sealed class RedisClusterFixture : AppHostFixture
{
    private LocalRedisCluster? _cluster;

    protected override async Task<string[]> StartInfrastructureAsync()
    {
        _cluster = await LocalRedisCluster.StartAsync(Path.Combine(DataDirectory, "redis-cluster"));
        return [$"ConnectionStrings:{ResourceNames.Cache}={_cluster.ConnectionString}"];
    }

    protected override async ValueTask StopInfrastructureAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
