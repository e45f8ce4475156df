using System.Text.Json.Serialization;
using Scalar.AspNetCore;
using VideoAspire.Api.Caching;
using VideoAspire.Api.OpenApi;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Security;
using VideoAspire.Api.Streaming;
using VideoAspire.Api.Subscriptions;
using VideoAspire.Api.Videos;
using VideoAspire.Api.WebSub;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;
using VideoAspire.Redis;
using VideoAspire.YouTube;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Api.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVideoStore(retryOnFailure: false);
        builder.AddLatestVideosDataSource();
        builder.AddRedisStores();
        builder.AddYouTubeSource();
        builder.AddWebSubOptions();

        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The framework's default policy refuses requests that carry an Authorization header; ours decides alone.
        builder.Services.AddOutputCache(options => options.AddPolicy(ChannelOutputCachePolicy.Name,
            builder => builder.AddPolicy<ChannelOutputCachePolicy>(), excludeDefaultPolicy: true));
        // Hot channels answered from this instance's memory, in front of the Redis store every replica shares (which
        // reaches the request through the accessor, to send with its own read the one the endpoint will need next).
        builder.Services.AddHttpContextAccessor();
        builder.Services.DecorateOutputCacheStore((services, shared) => ActivatorUtilities.CreateInstance<LocalOutputCacheStore>(services, shared));

        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, VideoJsonContext.Default);
            // Numbers are numbers (the web default also reads them from strings, and documents every integer as both).
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        builder.Services.AddSingleton<ChannelAccessTracker>();
        builder.Services.AddHostedService<AccessFlushService>();
        builder.Services.AddScoped<ReadPath>();
        builder.Services.AddSingleton<DatabaseRead>();
        builder.Services.AddSingleton<ColdChannelFetcher>();
        builder.Services.AddSingleton<ColdLookupLimiter>();
        builder.Services.AddSingleton<ChannelResolver>();
        builder.Services.AddOptions<StreamingOptions>()
            .BindConfiguration(StreamingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<VideoEventFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VideoEventFeed>());
        builder.Services.AddSingleton<StreamConnections>();
        builder.Services.AddOptions<NotificationOptions>()
            .BindConfiguration(NotificationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<EndpointUrlPolicy>();
        builder.Services.AddSingleton<SnapshotPersistence>();
        builder.Services.AddHostedService<InProcessPersistenceService>();
        builder.Services.AddScoped<WebSubCallback>();

        return builder;
    }

    /// <summary>
    /// OpenAPI document at /openapi/v1.json with the bearer scheme, scopes, errors and examples; also written at build
    /// time. Registered first: at build time it supplies the settings the registrations after it read.
    /// </summary>
    public static IHostApplicationBuilder AddOpenApiDocument(this IHostApplicationBuilder builder)
    {
        if (BuildTimeDocument.IsBeingGenerated)
        {
            BuildTimeDocument.UsePlaceholderSettings(builder.Configuration);
        }

        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<ContractDescriptionTransformer>()
            .AddDocumentTransformer<BearerSecurityTransformer>());
        return builder;
    }

    /// <summary>
    /// The OpenAPI document and the reference page built from it (<c>/docs</c>): anonymous, answered from the output
    /// cache (they change only with a deployment) and rate-limited per caller like the API, so they cannot be used to
    /// spend the Api's CPU.
    /// </summary>
    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        app.MapOpenApi().CacheOutput(policy => policy.Expire(TimeSpan.FromMinutes(10))).RequireRateLimiting(RateLimitingOptions.PolicyName);
        app.MapScalarApiReference("/docs").CacheOutput(policy => policy.Expire(TimeSpan.FromMinutes(10))).RequireRateLimiting(RateLimitingOptions.PolicyName);
        return app;
    }
}
