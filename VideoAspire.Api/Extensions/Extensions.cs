using VideoAspire.Api.Videos;
using VideoAspire.Catalog;

namespace VideoAspire.Api.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVideoCatalog();
        builder.AddYouTubeSource();

        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOutputCache(options =>
            options.AddPolicy(ChannelOutputCachePolicy.Name, builder => builder.AddPolicy<ChannelOutputCachePolicy>()));

        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, CatalogJsonContext.Default));

        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();

        builder.Services.AddSingleton<ChannelAccessTracker>();
        builder.Services.AddHostedService<AccessFlushService>();
        builder.Services.AddScoped<LatestVideosReader>();
        builder.Services.AddSingleton<ColdChannelFetcher>();
        builder.Services.AddSingleton<SnapshotPersistence>();
        builder.Services.AddHostedService<InProcessPersistenceService>();

        return builder;
    }
}
