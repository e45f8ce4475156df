namespace VideoAspire.Tests.Infrastructure;

/// <summary>The end-to-end tests that share one running product.</summary>
[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
