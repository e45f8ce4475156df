namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// Tests that count what real processes do within a time window: run after every parallel collection, alone, so a
/// starved CPU does not skew the count. Their own servers (a <see cref="StoresFixture"/> of their own).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerReplicasCollection : ICollectionFixture<StoresFixture>
{
    public const string Name = "Worker replicas";
}
