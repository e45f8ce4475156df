namespace VideoAspire.AppHost;

/// <summary>A connection string to hand to consumers and the resource they must wait for.</summary>
public sealed record BackingService(IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<IResource> Server)
{
    public static BackingService Of<TConnection, TServer>(IResourceBuilder<TConnection> connection, IResourceBuilder<TServer> server)
        where TConnection : IResourceWithConnectionString
        where TServer : IResource =>
        new(connection.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(connection.Resource),
            server.ApplicationBuilder.CreateResourceBuilder<IResource>(server.Resource));
}
