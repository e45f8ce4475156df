using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A health check that answers its failure status when the check it wraps does not answer in time. The wrapped check runs
/// in a scope of its own, released when it really ends: an abandoned check may still be using its services.
/// Probes that arrive while the check runs share that run: a burst of probes costs one database connection, not one
/// each.
/// </summary>
internal sealed class BoundedHealthCheck(
    IServiceScopeFactory scopes, Func<IServiceProvider, IHealthCheck> factory, TimeSpan timeout, SharedHealthCheckRun inFlight) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // The shared run is not cancelled by any one probe; the timeout bounds how long each probe waits for it.
            return await inFlight.JoinOrStart(() => RunAsync(context, CancellationToken.None)).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {timeout.TotalSeconds:F0} s.");
        }
    }

    private async Task<HealthCheckResult> RunAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await factory(scope.ServiceProvider).CheckHealthAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
        }
    }
}
