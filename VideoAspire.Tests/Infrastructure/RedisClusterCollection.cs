namespace VideoAspire.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "RedisCluster";
}
