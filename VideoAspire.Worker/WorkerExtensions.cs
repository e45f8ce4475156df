using Quartz;
using VideoAspire.Catalog;
using VideoAspire.Worker.Health;
using VideoAspire.Worker.Jobs;

namespace VideoAspire.Worker;

public static class WorkerExtensions
{
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddVideoCatalog();
        builder.AddYouTubeSource();

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<HandoffBackoff>();
        builder.Services.AddHealthChecks().AddCheck<HandoffEvictionHealthCheck>("redis-eviction-policy", tags: ["ready"]);

        var settings = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>() ?? new WorkerOptions();
        builder.Services.AddQuartz(quartz =>
        {
            quartz.ScheduleEvery<PersistHandoffJob>(settings.HandoffPollInterval);
            quartz.ScheduleEvery<CacheRefreshJob>(settings.CacheRefreshInterval);
            quartz.ScheduleEvery<ChannelRefreshJob>(settings.ChannelRefreshInterval);
        });
        // On shutdown, let a running batch finish: an interrupted one would only be redone, but why redo it.
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);

        return builder;
    }

    private static void ScheduleEvery<TJob>(this IQuartzBuilder quartz, TimeSpan interval)
        where TJob : IJob =>
        quartz.ScheduleJob<TJob>(trigger => trigger
            .WithIdentity(typeof(TJob).Name)
            .StartNow()
            .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever()));
}
