namespace VideoAspire.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class FaultsCollection : ICollectionFixture<FaultsAppHostFixture>
{
    public const string Name = "AppHost faults";
}
