using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using VideoAspire.Data;

namespace VideoAspire.MigrationService;

internal sealed partial class DatabaseInitializer(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILogger<DatabaseInitializer> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("VideoAspire.Migrations");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = ActivitySource.StartActivity("migrate and seed database");
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();

            // A migration may rebuild an index of a large table (OrdinalVideoIds: ~45 s for 20 M videos here), far
            // beyond the default 30 s command timeout.
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));

            // The database server may still be starting: retry the whole step on transient failures.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(
                () => db.Database.MigrateAsync(stoppingToken));
            LogMigrated();

            if (configuration.GetValue("Seed:DemoData", true) && !await db.Channels.AnyAsync(stoppingToken))
            {
                var (channels, videos) = DemoData.Generate();
                db.Channels.AddRange(channels);
                await db.SaveChangesAsync(stoppingToken);
                // Fresh statistics, so the planner picks the latest-five index from the first query on.
                await db.Database.ExecuteSqlRawAsync("ANALYZE channels, videos", stoppingToken);
                LogSeeded(channels.Count, videos);
            }

            // The demo handles, also into a demo database loaded before handles existed.
            if (configuration.GetValue("Seed:DemoData", true) && !await db.ChannelResolutions.AnyAsync(stoppingToken)
                && await db.Channels.AnyAsync(c => c.Id == DemoData.WellKnownChannelIds[0], stoppingToken))
            {
                db.ChannelResolutions.AddRange(DemoData.Resolutions(DemoData.Generate().Channels));
                await db.SaveChangesAsync(stoppingToken);
            }
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            LogFailed(ex);
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private partial void LogMigrated();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded demo data: {ChannelCount} channels, {VideoCount} videos")]
    private partial void LogSeeded(int channelCount, int videoCount);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Database migration failed")]
    private partial void LogFailed(Exception exception);
}
