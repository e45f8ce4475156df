using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VideoAspire.AppHost;

/// <summary>
/// Restarts Redis, PostgreSQL, the Api and the Worker when they die (a non-zero exit: a crash, the OOM killer,
/// <c>kill -9</c>) while this AppHost runs them: 1 s, then doubling to 30 s between attempts, each one written to the
/// resource's own log on the dashboard. A stop asked for (dashboard, <c>resource-stop</c>) stays stopped, whatever its exit
/// code: the resource passes through "Stopping" first (a process that is slow to shut down is killed, with code -1).
/// Containers get the same from their runtime's restart policy, Kubernetes from its controllers.
/// </summary>
internal sealed partial class CrashRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    ILogger<CrashRestarter> logger) : BackgroundService
{
    private static readonly HashSet<string> LongRunning = ["redis", "postgres", ResourceNames.Cache, ResourceNames.Api, ResourceNames.Worker];
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _restarting = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stopRequested = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (!LongRunning.Contains(update.Resource.Name))
            {
                continue;
            }

            var state = update.Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                _restarting.Remove(update.ResourceId);
                _stopRequested.Remove(update.ResourceId);
                continue;
            }

            if (state == KnownResourceStates.Stopping)
            {
                _stopRequested.Add(update.ResourceId);
                continue;
            }

            var crashed = (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                          && update.Snapshot.ExitCode is { } code && code != 0
                          && !_stopRequested.Contains(update.ResourceId);
            if (!crashed || !_restarting.Add(update.ResourceId))
            {
                continue;
            }

            var attempt = _attempts[update.ResourceId] = _attempts.GetValueOrDefault(update.ResourceId) + 1;
            _ = RestartAsync(update.ResourceId, update.Resource, update.Snapshot.ExitCode!.Value, attempt, stoppingToken);
        }
    }

    private async Task RestartAsync(string resourceId, IResource resource, int exitCode, int attempt, CancellationToken stoppingToken)
    {
        var delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), Longest);
        var resourceLog = resourceLogs.GetLogger(resource);
        LogRestarting(resourceLog, resourceId, exitCode, delay.TotalSeconds, attempt);
        LogRestarting(logger, resourceId, exitCode, delay.TotalSeconds, attempt);
        try
        {
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                LogRestartFailed(logger, resourceId, result.Message);
                _restarting.Remove(resourceId); // the next exit notice tries again, later
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping: nothing to restart.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} exited with code {ExitCode}; restarting in {DelaySeconds:F0} s (attempt {Attempt})")]
    private static partial void LogRestarting(ILogger logger, string resource, int exitCode, double delaySeconds, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting {Resource} failed: {Message}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string? message);
}
