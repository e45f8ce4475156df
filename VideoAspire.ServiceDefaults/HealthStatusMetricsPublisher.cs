using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Publishes each health check's last result as a gauge: 1 healthy, 0.5 degraded, 0 unhealthy.</summary>
internal sealed class HealthStatusMetricsPublisher : IHealthCheckPublisher, IDisposable
{
    private readonly ConcurrentDictionary<string, double> _status = new();
    private readonly Meter _meter;

    public HealthStatusMetricsPublisher(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create($"{Extensions.TelemetryPrefix}.Health");
        _meter.CreateObservableGauge("videoaspire.health.status",
            () => _status.Select(s => new Measurement<double>(s.Value, new KeyValuePair<string, object?>("check", s.Key))),
            description: "Last health check result per check: 1 healthy, 0.5 degraded, 0 unhealthy");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            _status[name] = entry.Status switch
            {
                HealthStatus.Healthy => 1,
                HealthStatus.Degraded => 0.5,
                _ => 0,
            };
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();
}
