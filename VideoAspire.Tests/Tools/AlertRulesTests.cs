using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Tools;

/// <summary>The Prometheus alert rules are valid and fire when they should.</summary>
[Trait(TestCategory.Name, TestCategory.Tools)]
public sealed class AlertRulesTests
{
    [Theory]
    [InlineData("check", "rules", "alerts.yml")]
    [InlineData("test", "rules", "alerts.test.yml")]
    public async Task Promtool_accepts_the_rules(params string[] arguments)
    {
        var (exitCode, output) = await Repository.RunAsync(
            "promtool", arguments, Repository.PathOf("deploy", "prometheus"), "run `make deps-test` (Debian package prometheus).");

        Assert.True(exitCode == 0, output);
    }
}
