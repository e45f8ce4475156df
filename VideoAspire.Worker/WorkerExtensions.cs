using Quartz;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;
using VideoAspire.Redis;
using VideoAspire.Worker.Health;
using VideoAspire.Worker.Jobs;
using VideoAspire.Worker.Webhooks;
using VideoAspire.Worker.WebSub;
using VideoAspire.YouTube;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Worker;

public static class WorkerExtensions
{
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddVideoStore();
        builder.AddRedisStores();
        builder.AddYouTubeSource();
        builder.AddWebSubOptions();

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<HandoffBackoff>();
        builder.AddWebhookDelivery();
        builder.Services.AddHttpClient<WebSubHubClient>(); // the standard resilience pipeline of ServiceDefaults
        builder.Services.AddHealthChecks().AddCheck<HandoffEvictionHealthCheck>("redis-eviction-policy", tags: ["ready"]);

        var settings = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>() ?? new WorkerOptions();

        // Every replica drains the hand-off (the consumer group spreads the entries), so that job is scheduled in memory.
        builder.Services.AddQuartz(quartz => quartz.ScheduleJob<PersistHandoffJob>(trigger => trigger
            .WithIdentity(nameof(PersistHandoffJob))
            .StartNow()
            .WithSimpleSchedule(schedule => schedule.WithInterval(settings.HandoffPollInterval).RepeatForever())));

        // The scheduled jobs run once per interval across all replicas: Quartz's clustered job store on PostgreSQL.
        var database = builder.Configuration.GetConnectionString(ResourceNames.Database)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.Database} is not set.");
        builder.Services.AddQuartz(WorkerOptions.ClusteredSchedulerName, quartz =>
        {
            quartz.ConfigureScheduler(scheduler => scheduler.GenerateInstanceId = true); // unique per replica
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(database);
                store.UseSystemTextJsonSerializer();
                store.UseClustering(cluster =>
                {
                    cluster.CheckinInterval = settings.ClusterCheckinInterval;
                    cluster.CheckinMisfireThreshold = settings.ClusterCheckinInterval;
                });
            });
        });

        // On shutdown, let a running batch finish: an interrupted one would only be redone, but why redo it.
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<ClusteredSchedule>(); // after Quartz's: its schedulers exist by then

        return builder;
    }

    /// <summary>Webhook fan-out and delivery on every replica (they share the work through PostgreSQL).</summary>
    private static void AddWebhookDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>()
            .BindConfiguration(NotificationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Batched statements with arrays are plain Npgsql; the EF Core context's health check already covers the server.
        builder.AddNpgsqlDataSource(ResourceNames.Database, configureSettings: settings => settings.DisableHealthChecks = true);
        builder.Services.AddSingleton<WebhookFanout>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookClient>();
        builder.Services.AddHostedService<WebhookDispatcher>();
    }
}
