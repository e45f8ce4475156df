using VideoAspire.Api.Apis;
using VideoAspire.Api.Extensions;
using VideoAspire.Api.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddOpenApiDocument();
builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddApiSecurity();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseNoSniff();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMetricsPort();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseOutputCache();

app.MapApiDocuments();
app.MapDefaultEndpoints();
app.MapMetricsEndpoint().RequireAuthorization(Scopes.MetricsPolicy);
app.MapVideosApi();
app.MapStreamApi();
app.MapChannelsApi();
app.MapResolveApi();
app.MapSubscriptionsApi();
app.MapWebSubCallback();

app.Run();
