using Microsoft.Extensions.Configuration;

namespace VideoAspire.AppHost;

/// <summary>
/// The one place that decides where Redis and PostgreSQL come from:
/// <list type="bullet">
/// <item>existing servers, when <c>ConnectionStrings:cache</c> / <c>ConnectionStrings:videosdb</c> are configured;</item>
/// <item>containers, when a container runtime answers (a developer laptop with Docker or Podman);</item>
/// <item>local <c>redis-server</c> and <c>postgres</c> processes run by the AppHost (no container runtime, e.g. CI).</item>
/// </list>
/// </summary>
public static class BackingServices
{
    public static (BackingService Cache, BackingService Database) AddBackingServices(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var requested = configuration.GetValue("Infrastructure:Mode", InfrastructureMode.Auto);
        var existingCache = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ResourceNames.Cache));
        var existingDatabase = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ResourceNames.Database));

        var mode = existingCache && existingDatabase ? requested : ResolveMode(builder, requested);
        var maxMemory = configuration["Infrastructure:RedisMaxMemory"] is { Length: > 0 } value ? value : "256mb";
        var dataDirectory = ResolveDataDirectory(builder);

        var cache = existingCache
            ? Existing(builder.AddConnectionString(ResourceNames.Cache))
            : mode == InfrastructureMode.Containers
                ? RedisContainer(builder, maxMemory)
                : LocalProcesses.AddRedis(builder, Path.Combine(dataDirectory, "redis"), maxMemory);

        var database = existingDatabase
            ? Existing(builder.AddConnectionString(ResourceNames.Database))
            : mode == InfrastructureMode.Containers
                ? PostgresContainer(builder)
                : LocalProcesses.AddPostgres(builder, Path.Combine(dataDirectory, "postgres"));

        return (cache, database);
    }

    /// <summary>References the service's connection string and starts only once its server is up.</summary>
    public static IResourceBuilder<T> WithBackingService<T>(this IResourceBuilder<T> resource, BackingService service)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        resource.WithReference(service.Connection).WaitFor(service.Server);

    /// <summary>
    /// Bounded memory, least-recently-used keys evicted first, but only keys with a TTL: every cache key has one, while
    /// the hand-off stream (videos not yet persisted) has none and so can never be evicted (with allkeys-lru it could).
    /// </summary>
    public const string RedisEvictionPolicy = "volatile-lru";

    private static BackingService Existing<T>(IResourceBuilder<T> connection) where T : IResourceWithConnectionString =>
        BackingService.Of(connection, connection);

    private static BackingService RedisContainer(IDistributedApplicationBuilder builder, string maxMemory)
    {
        var redis = builder.AddRedis(ResourceNames.Cache)
            .WithDataVolume()
            .WithPersistence(TimeSpan.FromMinutes(1))
            .WithRedisServerArguments("--maxmemory", maxMemory, "--maxmemory-policy", RedisEvictionPolicy);
        return BackingService.Of(redis, redis);
    }

    private static BackingService PostgresContainer(IDistributedApplicationBuilder builder)
    {
        var database = builder.AddPostgres("postgres")
            .WithDataVolume()
            .AddDatabase(ResourceNames.Database);
        return BackingService.Of(database, database);
    }

    private static InfrastructureMode ResolveMode(IDistributedApplicationBuilder builder, InfrastructureMode requested)
    {
        if (requested != InfrastructureMode.Auto)
        {
            return requested;
        }

        if (builder.ExecutionContext.IsPublishMode || ContainerRuntime.IsHealthy())
        {
            return InfrastructureMode.Containers;
        }

        if (LocalProcesses.AreInstalled(out var missing))
        {
            return InfrastructureMode.LocalProcesses;
        }

        throw new DistributedApplicationException(
            $"Cannot provide Redis and PostgreSQL: no container runtime is running and {missing} is not installed. " +
            "Do one of: start Docker; install the servers (`sudo apt-get install redis-server postgresql`, which `make run` does); " +
            "or point at existing servers with ConnectionStrings__cache and ConnectionStrings__videosdb.");
    }

    private static string ResolveDataDirectory(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Infrastructure:DataDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".data")
            : configured);
    }
}
