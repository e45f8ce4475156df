using Microsoft.Extensions.Logging;
using VideoAspire.Telemetry;

namespace VideoAspire.Tests.Unit;

/// <summary>A dependency's failures are logged once per change of state, not once per failed operation.</summary>
public sealed class OutageLogTests
{
    [Fact]
    public void Ten_thousand_failures_are_one_line_then_a_reminder_then_back()
    {
        var time = new ManualTime();
        var logger = new RecordingLogger();
        var outage = new OutageLog("Redis", logger, time);

        outage.Succeeded(); // nothing to say while it is up
        for (var i = 0; i < 10_000; i++)
        {
            outage.Failed(new TimeoutException("timeout"), "get");
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, logger.Lines[0].Level);
        Assert.NotNull(logger.Lines[0].Exception); // the first one carries the exception

        time.Advance(OutageLog.ReminderInterval);
        outage.Failed(new TimeoutException("timeout"), "get");
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("10001 failed operations", logger.Lines[1].Message);
        Assert.Null(logger.Lines[1].Exception);

        outage.Succeeded();
        outage.Succeeded();
        Assert.Equal(3, logger.Lines.Count);
        Assert.Equal(LogLevel.Information, logger.Lines[2].Level);
        Assert.Contains("answers again", logger.Lines[2].Message);
        Assert.False(outage.IsDown);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _now = 1_000_000;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * TimestampFrequency);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception), exception));
    }
}
