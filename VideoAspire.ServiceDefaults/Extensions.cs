using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every VideoAspire service gets: OpenTelemetry, health checks,
/// service discovery and standard HTTP resilience.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string ReadinessEndpointPath = "/ready";

    /// <summary>Prefix of every ActivitySource and Meter the services define, so one rule exports them all.</summary>
    public const string TelemetryPrefix = "VideoAspire";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter($"{TelemetryPrefix}.*")
                // Pull-based scraping next to OTLP push: Prometheus and its alert rules work without a collector.
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource($"{TelemetryPrefix}.*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes would drown the interesting traces.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Longest any one health check may take before it counts as unhealthy.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(2);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // "live": should the process be restarted. "ready": can this instance answer (it degrades without Redis or
        // PostgreSQL, so they are not part of it; they show on /health and as metrics).
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live", "ready"])
            .AddCheck<AcceptingHealthCheck>("accepting", tags: ["ready"]);

        // Kubernetes probes and annotation-based scrapers address a pod by its IP: with POD_IP (the downward API) set,
        // that address passes host filtering as well as the configured host names.
        if (builder.Configuration["POD_IP"] is { Length: > 0 } podAddress)
        {
            builder.Services.PostConfigure<HostFilteringOptions>(options =>
            {
                if (!options.AllowedHosts.Contains("*"))
                {
                    options.AllowedHosts = [.. options.AllowedHosts, podAddress];
                }
            });
        }

        // A dependency that hangs (a frozen PostgreSQL) must make /health answer Unhealthy, not hang it too. A timeout on
        // the registration is not enough: it only cancels the check's token, and a driver stuck in a connection
        // handshake does not look at it. So every check is also no longer waited for past its timeout.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var timeout = registration.Timeout == Timeout.InfiniteTimeSpan ? HealthCheckTimeout : registration.Timeout;
                var factory = registration.Factory;
                var inFlight = new SharedHealthCheckRun();
                registration.Timeout = timeout;
                registration.Factory = services => new BoundedHealthCheck(services.GetRequiredService<IServiceScopeFactory>(), factory, timeout, inFlight);
            }
        });

        // Health as a metric (videoaspire.health.status per check), so alerts see Redis or PostgreSQL going away.
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthStatusMetricsPublisher>();
        builder.Services.Configure<HealthCheckPublisherOptions>(options => options.Period = TimeSpan.FromSeconds(15));

        return builder;
    }

    public const string MetricsEndpointPath = "/metrics";

    /// <summary>
    /// Serves /metrics without authentication on <c>Metrics:Port</c> (one of the ports Kestrel listens on) when it is
    /// set: a scraper that cannot send a token reaches it there, and the network decides who may (Kubernetes: the
    /// NetworkPolicy). Placed before authentication, so the token the main port asks for is not asked here.
    /// </summary>
    public static WebApplication UseMetricsPort(this WebApplication app)
    {
        var port = app.Configuration.GetValue<int?>("Metrics:Port");
        if (port is > 0)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Connection.LocalPort == port && context.Request.Path.Equals(MetricsEndpointPath, StringComparison.Ordinal));
        }

        return app;
    }

    /// <summary>The Prometheus scraping endpoint; the caller decides how it is protected.</summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath).DisableHttpMetrics();

    /// <summary>
    /// Maps /health (every registered check: dependencies included), /ready (can this instance answer) and /alive
    /// (should it be restarted). Served in every environment: orchestrators and load balancers need them in production;
    /// they reveal only a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).DisableHttpMetrics();
        app.MapHealthChecks(ReadinessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("ready"),
        }).DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        }).DisableHttpMetrics();

        return app;
    }
}
