using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;

namespace VideoAspire.Catalog;

public static class CatalogExtensions
{
    /// <summary>
    /// PostgreSQL (EF Core) and Redis (latest-five cache and output-cache store) through the Aspire client
    /// integrations, which also add their health checks and telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddVideoCatalog(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<VideosDbContext>(ResourceNames.Database,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());

        builder.AddRedisClient(ResourceNames.Cache, configureOptions: options =>
        {
            // Never block a request on a Redis that is down: fail the command at once and let the caller degrade.
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = 2_000;
            options.AsyncTimeout = 1_000;
            options.SyncTimeout = 1_000;
        });

        // Aspire.StackExchange.Redis.OutputCaching is not on this package mirror; this is its equivalent:
        // the ASP.NET Core Redis output-cache store sharing the Aspire-registered connection.
        builder.Services.AddStackExchangeRedisOutputCache(_ => { });
        builder.Services.AddOptions<RedisOutputCacheOptions>()
            .Configure<IServiceProvider>((options, services) => options.ConnectionMultiplexerFactory =
                () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        DecorateOutputCacheStore(builder.Services);

        builder.Services.AddOptions<CacheOptions>()
            .BindConfiguration(CacheOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<LatestVideosCache>();

        return builder;
    }

    private static void DecorateOutputCacheStore(IServiceCollection services)
    {
        var registration = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(registration);
        services.AddSingleton<IOutputCacheStore>(sp => new FailSoftOutputCacheStore(
            (IOutputCacheStore)(registration.ImplementationFactory?.Invoke(sp)
                ?? registration.ImplementationInstance
                ?? ActivatorUtilities.CreateInstance(sp, registration.ImplementationType!)),
            sp.GetRequiredService<ILogger<FailSoftOutputCacheStore>>()));
    }
}
