using VideoAspire.MigrationService;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Unit;

public sealed class BenchmarkDataTests
{
    [Fact]
    public void Benchmark_channel_list_is_the_demo_data_set()
    {
        var file = Path.Combine(Repository.Root, "benchmarks", "channels.txt");
        var (channels, _) = DemoData.Generate();

        Assert.Equal(channels.Select(c => c.Id).Order(StringComparer.Ordinal), File.ReadAllLines(file).Order(StringComparer.Ordinal));
    }
}
