using Quartz;
using VideoAspire.Catalog;
using VideoAspire.Worker.Jobs;

namespace VideoAspire.Worker;

public static class WorkerExtensions
{
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddVideoCatalog();

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        var interval = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>()?.CacheRefreshInterval
            ?? new WorkerOptions().CacheRefreshInterval;

        builder.Services.AddQuartz(quartz =>
        {
            quartz.ScheduleJob<CacheRefreshJob>(trigger => trigger
                .WithIdentity(nameof(CacheRefreshJob))
                .StartNow()
                .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever()));
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);

        return builder;
    }
}
