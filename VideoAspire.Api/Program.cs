using VideoAspire.Api.Apis;
using VideoAspire.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseOutputCache();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapVideosApi();

app.Run();
