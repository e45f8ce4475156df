// Bare Kestrel: no middleware, a precomputed JSON body. `make benchmark` compares cached reads against this.
var body = File.ReadAllBytes(args.Length > 0 ? args[0] : throw new ArgumentException("usage: Baseline <body.json>"));

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();

app.MapGet("/videos", (HttpContext context) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Run();
