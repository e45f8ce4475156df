using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Streaming;

/// <summary>Open streams on this instance, in all and per caller, against <see cref="StreamingOptions"/>' caps.</summary>
public sealed class StreamConnections(IOptions<StreamingOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _byCaller = new(StringComparer.Ordinal);
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <returns>Null when the stream may open (close it with <see cref="Close"/>), else why not.</returns>
    public string? TryOpen(string callerKey)
    {
        var open = Interlocked.Increment(ref _open);
        VideoAspireTelemetry.ReportOpenStreams(open);
        if (open > options.Value.MaxConnections)
        {
            VideoAspireTelemetry.ReportOpenStreams(Interlocked.Decrement(ref _open));
            return "This instance serves as many streams as it can. Retry later.";
        }

        if (_byCaller.AddOrUpdate(callerKey, 1, (_, n) => n + 1) > options.Value.ConnectionsPerCaller)
        {
            Close(callerKey);
            return $"At most {options.Value.ConnectionsPerCaller} open streams per caller.";
        }

        return null;
    }

    public void Close(string callerKey)
    {
        VideoAspireTelemetry.ReportOpenStreams(Interlocked.Decrement(ref _open));
        if (_byCaller.AddOrUpdate(callerKey, 0, (_, n) => n - 1) <= 0)
        {
            _byCaller.TryRemove(new KeyValuePair<string, int>(callerKey, 0));
        }
    }
}
