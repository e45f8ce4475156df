using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// During an outage the logs say that a dependency is down, not every operation that failed because of it: the Api's own
/// registration, its cache and output-cache store driven a thousand times against a Redis that was really stopped.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class OutageLoggingTests(AppHostFixture fixture)
{
    private const int Operations = 500;

    [Fact]
    public async Task A_thousand_failed_redis_operations_log_a_few_lines_not_a_thousand()
    {
        var lines = new ConcurrentQueue<(string Category, LogLevel Level, string Message)>();
        using var api = await fixture.BuildApiServicesAsync(configure: builder => builder.Logging.AddProvider(new RecordingLoggerProvider(lines)));
        var cache = api.Services.GetRequiredService<ChannelCache>();
        var outputCache = api.Services.GetRequiredService<IOutputCacheStore>();
        Assert.Null(await cache.GetAsync(TestCatalog.NewChannelId())); // connected, and quiet while Redis answers
        var before = lines.Count;

        await using (await fixture.StopRedisAsync())
        {
            for (var i = 0; i < Operations; i++)
            {
                Assert.Null(await cache.GetAsync(TestCatalog.NewChannelId()));
                Assert.Null(await outputCache.GetAsync($"GET\u001eHTTP\u001eLOCALHOST/VIDEOS\u001eQ\u001echannel_id={TestCatalog.NewChannelId()}", CancellationToken.None));
            }
        }

        var duringOutage = lines.Skip(before).Where(line => line.Level >= LogLevel.Warning && line.Category.StartsWith("VideoAspire", StringComparison.Ordinal)).ToList();
        Assert.Contains(duringOutage, line => line.Message.Contains("Redis", StringComparison.Ordinal));
        // One line per connection event (two connections, down and back) and per change of state; none per operation.
        Assert.True(duringOutage.Count <= 10,
            $"{2 * Operations} failed operations logged {duringOutage.Count} lines:\n{string.Join('\n', duringOutage.Select(l => l.Message))}");
    }

    private sealed class RecordingLoggerProvider(ConcurrentQueue<(string Category, LogLevel Level, string Message)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class RecordingLogger(string category, ConcurrentQueue<(string Category, LogLevel Level, string Message)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
