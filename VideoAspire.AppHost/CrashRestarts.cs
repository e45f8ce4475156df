using Microsoft.Extensions.DependencyInjection;

namespace VideoAspire.AppHost;

internal static class CrashRestarts
{
    public static IDistributedApplicationBuilder RestartCrashedResources(this IDistributedApplicationBuilder builder)
    {
        builder.Services.AddHostedService<CrashRestarter>();
        return builder;
    }
}
