using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Ready until the host begins to stop: an instance shutting down leaves the load balancer's rotation while it finishes
/// the requests it has.
/// </summary>
internal sealed class AcceptingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The host is stopping.")
            : HealthCheckResult.Healthy());
}
