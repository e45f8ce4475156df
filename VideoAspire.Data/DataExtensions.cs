using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace VideoAspire.Data;

public static class DataExtensions
{
    /// <summary>The database and the one writer every change goes through (its caches are told through
    /// <see cref="Domain.Ports.IChannelCacheInvalidation"/>, registered by whoever owns them).</summary>
    /// <param name="retryOnFailure">
    /// Retry transient PostgreSQL failures inside EF Core (background work: yes). The Api says no: a request must fail
    /// fast and degrade (to YouTube, or 503) rather than hang through a minute of retries.
    /// </param>
    public static IHostApplicationBuilder AddVideoStore(this IHostApplicationBuilder builder, bool retryOnFailure = true)
    {
        builder.AddVideosDatabase(retryOnFailure);
        builder.Services.AddScoped<ChannelWriter>();
        return builder;
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
            // timeout's) blocks the thread that triggers it until the server answers, so a freeze fires every pending
            // read's timeout at once and starves the thread pool. So: no command
            // timeout here, and a short connect timeout so that an abandoned connection attempt frees its slot.
            dataSource.ConnectionStringBuilder.CommandTimeout = 0;
            if (!dataSource.ConnectionStringBuilder.ContainsKey("Timeout"))
            {
                dataSource.ConnectionStringBuilder.Timeout = 5;
            }
        }
    }

}
