using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Tools;

/// <summary>
/// The committed OpenAPI document (openapi/VideoAspire.Api.json) passes Spectral's and Redocly's own rulesets with no
/// error and no warning (the tools come with `make test`: npm ci in openapi/).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Tools)]
public sealed class OpenApiLintTests
{
    public const string InstallHint = "run `make deps-test` (npm ci in openapi/).";

    [Fact]
    public async Task Spectral_oas_ruleset_reports_nothing()
    {
        var (exitCode, output) = await RunToolAsync("spectral", "lint", "--fail-severity=hint", "--display-only-failures", "VideoAspire.Api.json");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Redocly_recommended_ruleset_reports_nothing()
    {
        var (exitCode, output) = await RunToolAsync("redocly", "lint", "--format=json", "VideoAspire.Api.json");

        Assert.True(exitCode == 0, output);
        // Warnings do not fail `redocly lint`: count them.
        Assert.Matches("\"errors\":\\s*0,\\s*\"warnings\":\\s*0,", output);
    }

    internal static Task<(int ExitCode, string Output)> RunToolAsync(string tool, params string[] arguments) =>
        Repository.RunAsync(Repository.PathOf("openapi", "node_modules", ".bin", tool), arguments, Repository.PathOf("openapi"), InstallHint);
}
