using VideoAspire.Data;
using VideoAspire.MigrationService;

// Runs once before the Api and Worker start (the AppHost waits for it to complete):
// applies EF Core migrations, loads the demo data set into an empty database, then exits.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddVideosDatabase();
builder.Services.AddHostedService<DatabaseInitializer>();

builder.Build().Run();
