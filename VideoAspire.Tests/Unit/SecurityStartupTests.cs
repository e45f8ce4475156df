using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;

namespace VideoAspire.Tests.Unit;

/// <summary>Outside Development the Api refuses to start with token validation or host filtering left open.</summary>
public sealed class SecurityStartupTests
{
    private static readonly Dictionary<string, string?> Complete = new()
    {
        ["AllowedHosts"] = "videos.example.com",
        ["Authentication:Schemes:Bearer:Authority"] = "https://login.example.com/tenant",
        ["Authentication:Schemes:Bearer:ValidIssuer"] = "https://login.example.com/tenant",
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = "api://videoaspire",
    };

    [Fact]
    public async Task Production_with_issuer_audience_and_hosts_starts()
    {
        Assert.Null(await StartAsync("Production", Complete));
    }

    [Fact]
    public async Task Development_needs_none_of_it()
    {
        Assert.Null(await StartAsync("Development", new Dictionary<string, string?> { ["Auth:AllowAnonymousReads"] = "true" }));
    }

    [Theory]
    [InlineData("Authentication:Schemes:Bearer:ValidIssuer", null, "ValidIssuer")]
    [InlineData("Authentication:Schemes:Bearer:ValidAudiences:0", null, "ValidAudiences")]
    [InlineData("Auth:AllowAnonymousReads", "true", "AllowAnonymousReads")]
    [InlineData("AllowedHosts", "*", "AllowedHosts")]
    public async Task Production_refuses_to_start_when_left_open(string key, string? value, string named)
    {
        var settings = new Dictionary<string, string?>(Complete) { [key] = value };

        var failure = await StartAsync("Production", settings);

        Assert.NotNull(failure);
        Assert.Contains(named, failure.Message);
    }

    [Theory]
    [InlineData(null, "RS256,ES256")]
    [InlineData("ES256", "ES256")] // narrowed: not appended to the default
    public void Configured_algorithms_replace_the_default_instead_of_adding_to_it(string? configured, string expected)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var settings = new Dictionary<string, string?>(Complete);
        if (configured is not null)
        {
            settings["Auth:ValidAlgorithms:0"] = configured;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddApiSecurity();
        using var app = builder.Build();

        Assert.Equal(expected, string.Join(',', app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.ValidAlgorithms));
    }

    private static async Task<Exception?> StartAsync(string environment, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddApiSecurity();
        await using var app = builder.Build();
        try
        {
            await app.StartAsync();
            await app.StopAsync();
            return null;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException { InnerExceptions: [OptionsValidationException, ..] })
        {
            return ex;
        }
    }
}
