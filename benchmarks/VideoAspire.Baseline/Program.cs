// The benchmarks' yardsticks, each the least work that can give the answer:
//   dotnet VideoAspire.Baseline.dll --body body.json --urls http://127.0.0.1:5199 [--database "<connection string>"]
// GET /videos            bare Kestrel, no middleware, a precomputed body: the ceiling of a cached read.
// --youtube true:        a YouTube stand-in for `make chaos` (Data API channels/playlistItems and the Atom feed for
//                        any UCchaos… id, five videos each; /admin/slow?ms= delays every answer; /admin/served
//                        lists the channels answered, to account for every video fetched).
// GET /ceiling/videos    with --database: an unbounded in-process dictionary in front of the prepared latest-five
//                        query, nothing else (no Redis, auth, rate limit, telemetry): the ceiling of any read path on
//                        this machine for long-tail traffic, since every first read of a channel must reach the database.
// --issuer <url> --tokens <file> [--callers 100]: the Production benchmark's OIDC issuer (TokenIssuer.cs): discovery
//                        and JWKS at <url>, RS256 tokens of that many callers written to <file>.
// --pipeline true:       GET /videos through the framework pieces every VideoAspire read requires (PipelineCeiling.cs);
//                        with --database and --redis, the simplest Redis -> PostgreSQL read behind them: the ceiling
//                        of any read path that keeps every required piece.
// --sink true:           `make benchmark-notify`'s webhook receiver (WebhookSink.cs): POST /hooks/{n}, GET /sink/stats.
using System.Collections.Concurrent;

var pipeline = new ConfigurationBuilder().AddCommandLine(args).Build().GetValue<bool>("pipeline");
var builder = pipeline ? WebApplication.CreateBuilder(args) : WebApplication.CreateSlimBuilder(args);
var body = File.ReadAllBytes(builder.Configuration["body"] ?? throw new ArgumentException("usage: --body <file.json>"));
if (pipeline)
{
    PipelineCeiling.Run(builder, body);
    return;
}

builder.Logging.ClearProviders();

var app = builder.Build();

app.MapGet("/videos", (HttpContext context) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    return context.Response.Body.WriteAsync(body).AsTask();
});

if (builder.Configuration["database"] is { } connectionString)
{
    var dataSource = LatestFive.DataSource(connectionString);
    var answers = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);

    app.MapGet("/ceiling/videos", async (HttpContext context) =>
    {
        var channelId = context.Request.Query["channel_id"].ToString();
        if (!answers.TryGetValue(channelId, out var answer))
        {
            answers[channelId] = answer = await LatestFive.ReadAsync(dataSource, channelId);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(answer);
    });
}

if (builder.Configuration["issuer"] is { } issuer)
{
    TokenIssuer.Map(app, issuer, builder.Configuration["tokens"] ?? throw new ArgumentException("usage: --issuer <url> --tokens <file>"),
        builder.Configuration.GetValue("callers", 100));
}

if (builder.Configuration.GetValue<bool>("youtube"))
{
    YouTubeStandIn.Map(app);
}

if (builder.Configuration.GetValue<bool>("sink"))
{
    WebhookSink.Map(app);
}

app.Run();
