using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>The Api's own service registration (as its Program makes it) in the test process, for tests that drive one
/// of its services directly.</summary>
public static class ApiServices
{
    /// <param name="settings">Each set laid over the one before (connection strings first, then the test's own).</param>
    public static IHost Build(IEnumerable<IEnumerable<KeyValuePair<string, string?>>> settings, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        foreach (var set in settings)
        {
            builder.Configuration.AddInMemoryCollection(set);
        }

        VideoAspire.Api.Extensions.Extensions.AddApplicationServices(builder);
        builder.Services.AddProblemDetails(); // as the Api's Program does
        configure?.Invoke(builder);
        return builder.Build();
    }
}
