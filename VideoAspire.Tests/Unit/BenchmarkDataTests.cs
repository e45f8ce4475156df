using VideoAspire.MigrationService;

namespace VideoAspire.Tests.Unit;

public sealed class BenchmarkDataTests
{
    [Fact]
    public void Benchmark_channel_list_is_the_demo_data_set()
    {
        var file = Path.Combine(RepositoryRoot(), "benchmarks", "channels.txt");
        var (channels, _) = DemoData.Generate();

        Assert.Equal(channels.Select(c => c.Id).Order(StringComparer.Ordinal), File.ReadAllLines(file).Order(StringComparer.Ordinal));
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "VideoAspire.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
