using VideoAspire.Worker;

// A web host only for /health, /alive and /metrics; the work itself is Quartz jobs.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWorkerServices();

var app = builder.Build();

app.UseMetricsPort();
app.MapDefaultEndpoints();
app.MapMetricsEndpoint(); // internal port only: the Worker has no external endpoint

app.Run();
