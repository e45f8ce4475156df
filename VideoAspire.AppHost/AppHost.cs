using VideoAspire;
using VideoAspire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Redis and PostgreSQL: containers, local processes or existing servers, whichever this machine can do.
var (cache, database) = builder.AddBackingServices();

var migrations = builder.AddProject<Projects.VideoAspire_MigrationService>(ResourceNames.Migrations)
    .WithBackingService(database);

builder.AddProject<Projects.VideoAspire_Api>(ResourceNames.Api)
    .WithBackingService(cache)
    .WithBackingService(database)
    .WaitForCompletion(migrations)
    .WithForwardedConfiguration(builder.Configuration, "Cache", "Api", "YouTube")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.VideoAspire_Worker>(ResourceNames.Worker)
    .WithBackingService(cache)
    .WithBackingService(database)
    .WaitForCompletion(migrations)
    .WithForwardedConfiguration(builder.Configuration, "Cache", "Worker", "YouTube")
    .WithHttpHealthCheck("/health");

builder.Build().Run();
