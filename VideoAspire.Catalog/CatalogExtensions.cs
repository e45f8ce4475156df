using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VideoAspire.Catalog.Caching;
using VideoAspire.Catalog.Data;
using VideoAspire.Catalog.Handoff;
using VideoAspire.Catalog.Quota;
using VideoAspire.Catalog.Telemetry;
using VideoAspire.Catalog.WebSub;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Catalog;

public static class CatalogExtensions
{
    /// <summary>
    /// PostgreSQL (EF Core) and Redis (latest-five cache and output-cache store) through the Aspire client
    /// integrations, which also add their health checks and telemetry.
    /// </summary>
    /// <param name="retryDatabaseFailures">
    /// Retry transient PostgreSQL failures inside EF Core (background work: yes). The Api says no: a request must fail
    /// fast and degrade (to YouTube, or 503) rather than hang through a minute of retries.
    /// </param>
    public static IHostApplicationBuilder AddVideoCatalog(this IHostApplicationBuilder builder, bool retryDatabaseFailures = true)
    {
        builder.AddVideosDatabase(retryDatabaseFailures);

        // Redis spans come from our own cache spans ("cache get", "output cache get"): the integration's profiler-based
        // tracing cost ~100 µs of CPU per cache miss on the benchmark (three Redis commands), for spans we already have.
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
        builder.Services.AddSingleton<LatestVideosCache>();
        builder.Services.AddSingleton<FetchLock>();
        builder.Services.AddSingleton<UnknownChannels>();
        builder.Services.AddSingleton<CacheEvictionRetries>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CacheEvictionRetries>());
        builder.Services.AddScoped<ChannelWriter>();
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
        // means fewer threads handing work to each other (measured: ~40% more cache misses served per second).
        options.SocketManager = SocketManager.ThreadPool;
    }

    /// <summary>The EF Core context on PostgreSQL (Aspire integration: pooling, retries, health check, tracing).</summary>
    public static IHostApplicationBuilder AddVideosDatabase(this IHostApplicationBuilder builder, bool retryOnFailure = true)
    {
        builder.AddNpgsqlDbContext<VideosDbContext>(ResourceNames.Database,
            // The Api never retries; elsewhere retries are on unless configuration turns them off
            // (Aspire:Npgsql:EntityFrameworkCore:PostgreSQL:DisableRetry).
            configureSettings: settings => settings.DisableRetry |= !retryOnFailure,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        return builder;
    }

    /// <summary>
    /// A plain <see cref="Npgsql.NpgsqlDataSource"/> on the same database for the Api's latest-five read
    /// (<see cref="LatestVideosQuery"/>): its statement is prepared once per pooled connection (<c>Max Auto Prepare</c>,
    /// unless the connection string sets it). The EF Core context's health check already covers the server.
    /// </summary>
    public static IHostApplicationBuilder AddLatestVideosDataSource(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(ResourceNames.Database, configureSettings: settings => settings.DisableHealthChecks = true,
            configureDataSourceBuilder: ConfigureLatestVideosDataSource);

        // A read replica, when configured, serves the read path (keyed "videosdb-read"; without one, the same source).
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ResourceNames.DatabaseReplica)))
        {
            builder.AddKeyedNpgsqlDataSource(ResourceNames.DatabaseReplica, configureSettings: settings => settings.DisableHealthChecks = true,
                configureDataSourceBuilder: ConfigureLatestVideosDataSource);
        }
        else
        {
            builder.Services.AddKeyedSingleton(ResourceNames.DatabaseReplica, (services, _) => services.GetRequiredService<Npgsql.NpgsqlDataSource>());
        }

        return builder;

        static void ConfigureLatestVideosDataSource(Npgsql.NpgsqlDataSourceBuilder dataSource)
        {
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 16;
            }

            // Only read-only statements run here and none changes session state, so a connection going back to the
            // pool needs no reset round, which PostgreSQL otherwise pays for on every read.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;

            // The read path bounds every read itself (Api:DatabaseBudget) by no longer waiting for it, never by
            // cancelling it: against a frozen server Npgsql's cancellation (the token's, or its own command
            // timeout's) blocks the thread that triggers it until the server answers, and thirty seconds into a
            // freeze every pending read's timeout fired at once and starved the thread pool. So: no command
            // timeout here, and a short connect timeout so that an abandoned connection attempt frees its slot.
            dataSource.ConnectionStringBuilder.CommandTimeout = 0;
            if (!dataSource.ConnectionStringBuilder.ContainsKey("Timeout"))
            {
                dataSource.ConnectionStringBuilder.Timeout = 5;
            }
        }
    }

    /// <summary>
    /// The YouTube sources as typed HttpClients with a resilience pipeline of their own: short attempt and total
    /// timeouts, bounded retries with jittered backoff, and a circuit breaker, all from <see cref="YouTubeOptions"/>.
    /// </summary>
    public static IHostApplicationBuilder AddYouTubeSource(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<YouTubeOptions>()
            .BindConfiguration(YouTubeOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.TotalTimeout > o.AttemptTimeout, "YouTube:TotalTimeout must be longer than YouTube:AttemptTimeout.")
            .ValidateOnStart();
        builder.Services.AddOptions<WebSubOptions>()
            .BindConfiguration(WebSubOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Says which service is calling (upstream logs, the test stand-in's per-service counts).
        var userAgent = $"{builder.Environment.ApplicationName}/1.0";

        // ServiceDefaults gives every HttpClient the standard pipeline with 10 s/30 s timeouts; YouTube calls sit on
        // the request path of a cold read, so they get their own, tighter one (RemoveAllResilienceHandlers is
        // marked experimental by Microsoft.Extensions.Http.Resilience; it is the documented way to replace it).
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<YouTubeDataApiClient>((services, http) =>
                Configure(http, services.GetRequiredService<IOptions<YouTubeOptions>>().Value.ApiBaseUrl, userAgent))
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler().Configure(ConfigureResilience);

        builder.Services.AddHttpClient<YouTubeFeedClient>((services, http) =>
                Configure(http, services.GetRequiredService<IOptions<YouTubeOptions>>().Value.FeedBaseUrl, userAgent))
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler().Configure(ConfigureResilience);

#pragma warning restore EXTEXP0001

        builder.Services.AddTransient<YouTubeVideoSource>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DataApiQuota>();
        builder.Services.AddSingleton<UpstreamFailureFilter>();
        return builder;

        static void Configure(HttpClient http, string baseUrl, string userAgent)
        {
            http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
            http.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
            http.MaxResponseContentBufferSize = 4 * 1024 * 1024; // a hostile or broken upstream cannot exhaust memory
        }

        static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider services)
        {
            var youTube = services.GetRequiredService<IOptions<YouTubeOptions>>().Value;
            resilience.AttemptTimeout.Timeout = youTube.AttemptTimeout;
            resilience.TotalRequestTimeout.Timeout = youTube.TotalTimeout;
            resilience.Retry.MaxRetryAttempts = 2;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * youTube.AttemptTimeout.TotalSeconds));
            resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            // One breaker per source protects the whole upstream: a few failing channels must not open it for all.
            var filter = services.GetRequiredService<UpstreamFailureFilter>();
            var window = resilience.CircuitBreaker.SamplingDuration;
            resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(filter.CountsAgainstUpstream(args.Outcome, window));
        }
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
