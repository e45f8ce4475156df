using Microsoft.Extensions.Configuration;

namespace VideoAspire.AppHost;

/// <summary>What configuration the services get from the AppHost: its own settings, the YouTube key as a secret, OTLP or not.</summary>
public static class ServiceConfiguration
{
    /// <summary>
    /// Hands the AppHost's own settings of these sections (appsettings, environment such as <c>Cache__Ttl</c>,
    /// command line) to the service, so `make run` and tests configure every service in one place.
    /// </summary>
    public static IResourceBuilder<T> WithForwardedConfiguration<T>(
        this IResourceBuilder<T> resource, IConfiguration configuration, params string[] sections)
        where T : IResourceWithEnvironment =>
        resource.WithEnvironment(context =>
        {
            foreach (var section in sections)
            {
                foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
                {
                    // Secrets travel as Aspire parameters (masked in the dashboard), never as plain settings.
                    if (value is not null && !SecretKeys.Contains(key))
                    {
                        context.EnvironmentVariables[key.Replace(":", "__")] = value;
                    }
                }
            }
        });

    /// <summary>Removes the OTLP endpoint Aspire gives every project (useful only when a dashboard or collector listens).</summary>
    public static void WithoutOtlpExport(this IDistributedApplicationBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }
    }

    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase) { "YouTube:ApiKey" };

    /// <summary>The Data API key as a secret parameter, when one is configured (YouTube__ApiKey or Parameters:youtube-api-key).</summary>
    public static IResourceBuilder<ParameterResource>? AddYouTubeApiKey(this IDistributedApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Parameters:youtube-api-key"]))
        {
            return builder.AddParameter("youtube-api-key", secret: true);
        }

        return string.IsNullOrWhiteSpace(builder.Configuration["YouTube:ApiKey"])
            ? null
            : builder.AddParameterFromConfiguration("youtube-api-key", "YouTube:ApiKey", secret: true);
    }

    public static IResourceBuilder<T> WithYouTubeApiKey<T>(this IResourceBuilder<T> resource, IResourceBuilder<ParameterResource>? apiKey)
        where T : IResourceWithEnvironment =>
        apiKey is null ? resource : resource.WithEnvironment("YouTube__ApiKey", apiKey);
}
