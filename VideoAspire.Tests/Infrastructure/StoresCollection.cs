namespace VideoAspire.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class StoresCollection : ICollectionFixture<StoresFixture>
{
    public const string Name = "Stores";
}
