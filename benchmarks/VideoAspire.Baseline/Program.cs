// Bare Kestrel: no middleware, a precomputed JSON body. `make benchmark` compares cached reads against this.
//   dotnet VideoAspire.Baseline.dll --body body.json --urls http://127.0.0.1:5199
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var body = File.ReadAllBytes(builder.Configuration["body"] ?? throw new ArgumentException("usage: --body <file.json>"));

var app = builder.Build();

app.MapGet("/videos", (HttpContext context) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Run();
