using Microsoft.Extensions.Configuration;

namespace VideoAspire.AppHost;

/// <summary>What configuration the services get from the AppHost: its own settings, the YouTube secrets as secrets, OTLP or not.</summary>
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

    /// <summary>Settings that are secrets: each travels as an Aspire parameter, masked in the dashboard.</summary>
    private static readonly Dictionary<string, string> Secrets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["YouTube:ApiKey"] = "youtube-api-key",
        ["YouTube:WebSub:Secret"] = "youtube-websub-secret",
    };

    private static readonly HashSet<string> SecretKeys = new(Secrets.Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The YouTube secrets that are configured (the Data API key, the WebSub HMAC secret), each as a secret parameter,
    /// from its setting (<c>YouTube__ApiKey</c>) or from <c>Parameters:&lt;name&gt;</c>.
    /// </summary>
    public static IReadOnlyList<(string Key, IResourceBuilder<ParameterResource> Parameter)> AddYouTubeSecrets(this IDistributedApplicationBuilder builder)
    {
        var parameters = new List<(string, IResourceBuilder<ParameterResource>)>();
        foreach (var (key, name) in Secrets)
        {
            if (!string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{name}"]))
            {
                parameters.Add((key, builder.AddParameter(name, secret: true)));
            }
            else if (!string.IsNullOrWhiteSpace(builder.Configuration[key]))
            {
                parameters.Add((key, builder.AddParameterFromConfiguration(name, key, secret: true)));
            }
        }

        return parameters;
    }

    public static IResourceBuilder<T> WithYouTubeSecrets<T>(
        this IResourceBuilder<T> resource, IReadOnlyList<(string Key, IResourceBuilder<ParameterResource> Parameter)> secrets)
        where T : IResourceWithEnvironment
    {
        foreach (var (key, parameter) in secrets)
        {
            resource.WithEnvironment(key.Replace(":", "__"), parameter);
        }

        return resource;
    }
}
