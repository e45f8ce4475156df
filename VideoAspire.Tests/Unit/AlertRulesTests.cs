using System.Diagnostics;

namespace VideoAspire.Tests.Unit;

/// <summary>The Prometheus alert rules are valid and fire when they should (promtool comes with `make deps`).</summary>
public sealed class AlertRulesTests
{
    [Theory]
    [InlineData("check", "rules", "alerts.yml")]
    [InlineData("test", "rules", "alerts.test.yml")]
    public void Promtool_accepts_the_rules(params string[] arguments)
    {
        var directory = Path.Combine(BenchmarkDataTests.RepositoryRoot(), "deploy", "prometheus");
        var startInfo = new ProcessStartInfo("promtool") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("promtool is not installed: run `make deps` (Debian package prometheus).");
            return;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "promtool did not finish");
            Assert.True(process.ExitCode == 0, output);
        }
    }
}
