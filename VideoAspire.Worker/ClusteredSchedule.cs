using Microsoft.Extensions.Options;
using Quartz;
using VideoAspire.Worker.Jobs;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Worker;

/// <summary>
/// Writes the cluster-wide schedule into Quartz's shared store at start-up. A trigger that already has the configured
/// interval is left as it is, so a replica (re)starting neither adds a run nor delays one; a changed interval replaces
/// it. New triggers fire on a grid of the interval counted from the Unix epoch, so replicas starting together agree.
/// </summary>
public sealed partial class ClusteredSchedule(
    IServiceProvider services,
    IOptions<WorkerOptions> options,
    IOptions<WebSubOptions> webSub,
    TimeProvider timeProvider,
    ILogger<ClusteredSchedule> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await services.GetRequiredKeyedService<ISchedulerFactory>(WorkerOptions.ClusteredSchedulerName)
            .GetScheduler(cancellationToken);
        await KeepAsync<CacheRefreshJob>(scheduler, options.Value.CacheRefreshInterval, cancellationToken);
        await KeepAsync<ChannelRefreshJob>(scheduler, options.Value.ChannelRefreshInterval, cancellationToken);
        await KeepAsync<OutboxPruneJob>(scheduler, options.Value.EventPruneInterval, cancellationToken);
        await KeepAsync<SubscribedChannelsJob>(scheduler, options.Value.SubscribedChannelsInterval, cancellationToken);
        if (webSub.Value.Enabled)
        {
            await KeepAsync<WebSubSubscriptionJob>(scheduler, webSub.Value.SubscriptionInterval, cancellationToken);
        }
        else if (await scheduler.UnscheduleJob(new TriggerKey(nameof(WebSubSubscriptionJob)), cancellationToken))
        {
            LogUnscheduled(nameof(WebSubSubscriptionJob)); // WebSub switched off: the leases lapse, polling takes over
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task KeepAsync<TJob>(IScheduler scheduler, TimeSpan interval, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var name = typeof(TJob).Name;
        if (await scheduler.GetTrigger(new TriggerKey(name), cancellationToken) is ISimpleTrigger current && current.RepeatInterval == interval)
        {
            return;
        }

        // Recovery requested: a run on a replica that dies is run again by another one.
        var job = JobBuilder.Create<TJob>().WithIdentity(name).RequestRecovery().StoreDurably().Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(name)
            .ForJob(job)
            .StartAt(NextOnGrid(interval, timeProvider.GetUtcNow()))
            .WithSimpleSchedule(schedule => schedule
                .WithInterval(interval)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)) // missed runs are skipped, not caught up
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
        LogScheduled(name, interval);
    }

    internal static DateTimeOffset NextOnGrid(TimeSpan interval, DateTimeOffset now) =>
        DateTimeOffset.UnixEpoch + interval * Math.Ceiling((now - DateTimeOffset.UnixEpoch) / interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unscheduled {Job}: its feature is off")]
    private partial void LogUnscheduled(string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled {Job} every {Interval} across the Worker replicas")]
    private partial void LogScheduled(string job, TimeSpan interval);
}
