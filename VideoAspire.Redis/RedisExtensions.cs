using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Handoff;
using VideoAspire.Redis.Quota;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis;

public static class RedisExtensions
{
    /// <summary>
    /// Redis through the Aspire client integration (health check, telemetry): the latest-five cache, the output-cache
    /// store, the negative cache and locks, the hand-off stream and the shared Data API quota.
    /// </summary>
    public static IHostApplicationBuilder AddRedisStores(this IHostApplicationBuilder builder)
    {
        // Redis spans come from our own cache spans ("cache get", "output cache get"): the integration's profiler-based
        // tracing costs more CPU per cache miss than the rest of the read, for spans we already have.
        builder.AddRedisClient(ResourceNames.Cache, configureSettings: settings => settings.DisableTracing = true, configureOptions: ConfigureRedis);

        // The hand-off stream on a Redis of its own when one is configured (say, persistent while the cache is not),
        // else on the cache's.
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ResourceNames.Queue)))
        {
            builder.AddKeyedRedisClient(ResourceNames.Queue, configureSettings: settings => settings.DisableTracing = true, configureOptions: ConfigureRedis);
        }
        else
        {
            builder.Services.AddKeyedSingleton(ResourceNames.Queue, (services, _) => services.GetRequiredService<IConnectionMultiplexer>());
        }

        // Aspire.StackExchange.Redis.OutputCaching is not on this package mirror; this is its equivalent:
        // the ASP.NET Core Redis output-cache store sharing the Aspire-registered connection.
        builder.Services.AddStackExchangeRedisOutputCache(_ => { });
        builder.Services.AddOptions<RedisOutputCacheOptions>()
            .Configure<IServiceProvider>((options, services) => options.ConnectionMultiplexerFactory =
                () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.DecorateOutputCacheStore((services, redisStore) => new FailSoftOutputCacheStore(
            redisStore, services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<Outages>()));

        builder.Services.AddOptions<CacheOptions>()
            .BindConfiguration(CacheOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<Outages>();
        builder.Services.AddSingleton<ChannelCache>();
        builder.Services.AddSingleton<IChannelCacheInvalidation>(services => services.GetRequiredService<ChannelCache>());
        builder.Services.AddSingleton<FetchLock>();
        builder.Services.AddSingleton<UnknownChannels>();
        builder.Services.AddSingleton<ResolutionCache>();
        builder.Services.AddHostedService<PendingInvalidationRetries>();
        builder.Services.AddSingleton<IDataApiQuota, DataApiQuota>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SnapshotHandoff>();

        return builder;
    }

    private static void ConfigureRedis(ConfigurationOptions options)
    {
        // Never block a request on a Redis that is down: fail the command at once and let the caller degrade.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2_000;
        options.AsyncTimeout = 1_000;
        options.SyncTimeout = 1_000;
        // Socket I/O on the .NET thread pool instead of the library's dedicated threads: on a few cores, one pool
        // means fewer threads handing work to each other (docs/benchmarks.md).
        options.SocketManager = SocketManager.ThreadPool;
    }

    /// <summary>Wraps the registered output-cache store in another (fail-soft handling, a memory level in front).</summary>
    public static IServiceCollection DecorateOutputCacheStore(
        this IServiceCollection services, Func<IServiceProvider, IOutputCacheStore, IOutputCacheStore> decorate)
    {
        var registration = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(registration);
        return services.AddSingleton(sp => decorate(sp, (IOutputCacheStore)(registration.ImplementationFactory?.Invoke(sp)
            ?? registration.ImplementationInstance
            ?? ActivatorUtilities.CreateInstance(sp, registration.ImplementationType!))));
    }
}
