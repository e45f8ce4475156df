using Microsoft.Extensions.Configuration;
using VideoAspire;
using VideoAspire.AppHost;

// `--no-dashboard` (the benchmark): no dashboard, and no OTLP export with nobody to receive it.
var noDashboard = args.Contains("--no-dashboard");
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DisableDashboard = noDashboard });

// Redis and PostgreSQL: containers, local processes or existing servers, whichever this machine can do.
var (cache, database) = builder.AddBackingServices();

// Optional: without a Data API key the services use YouTube's keyless channel feed only; without a WebSub secret (and
// callback URL) nothing is pushed to us.
var youTubeSecrets = builder.AddYouTubeSecrets();

var migrations = builder.AddProject<Projects.VideoAspire_MigrationService>(ResourceNames.Migrations)
    .WithBackingService(database);

builder.AddProject<Projects.VideoAspire_Api>(ResourceNames.Api)
    .WithBackingService(cache)
    .WithBackingService(database)
    .WaitForCompletion(migrations)
    .WithForwardedConfiguration(builder.Configuration, "Cache", "Api", "YouTube", "Auth", "Authentication", "RateLimiting", "Streaming", "Notifications")
    .WithEnvironment("DOTNET_GCgen0size", "0x4000000") // as its container image sets it (VideoAspire.Api.csproj)
    .WithYouTubeSecrets(youTubeSecrets)
    .WithExternalHttpEndpoints()
    .WithReplicas(builder.Configuration.GetValue("AppHost:ApiReplicas", 1))
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.VideoAspire_Worker>(ResourceNames.Worker)
    .WithBackingService(cache)
    .WithBackingService(database)
    .WaitForCompletion(migrations)
    .WithForwardedConfiguration(builder.Configuration, "Cache", "Worker", "YouTube", "Notifications")
    .WithYouTubeSecrets(youTubeSecrets)
    .WithReplicas(builder.Configuration.GetValue("AppHost:WorkerReplicas", 1))
    .WithHttpHealthCheck("/health");

if (noDashboard)
{
    builder.WithoutOtlpExport();
}

// What dies is started again (Redis, PostgreSQL, the Api, the Worker), with backoff.
builder.RestartCrashedResources();

builder.Build().Run();
