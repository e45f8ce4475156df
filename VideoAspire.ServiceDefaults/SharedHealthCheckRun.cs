using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>The run of one health check that concurrent probes join (single flight); the next probe after it ends starts anew.</summary>
internal sealed class SharedHealthCheckRun
{
    private readonly Lock _lock = new();
    private Task<HealthCheckResult>? _current;

    public Task<HealthCheckResult> JoinOrStart(Func<Task<HealthCheckResult>> start)
    {
        lock (_lock)
        {
            if (_current is { IsCompleted: false } running)
            {
                return running;
            }

            return _current = start();
        }
    }
}
