// The benchmarks' yardsticks, each the least work that can give the answer:
//   dotnet VideoAspire.Baseline.dll --body body.json --urls http://127.0.0.1:5199 [--database "<connection string>"]
// GET /videos            bare Kestrel, no middleware, a precomputed body: the ceiling of a cached read.
// --youtube true:        a YouTube stand-in for `make chaos` (Data API channels/playlistItems and the Atom feed for
//                        any UCchaos… id, five videos each; /admin/slow?ms= delays every answer; /admin/served
//                        lists the channels answered, to account for every video fetched).
// GET /ceiling/videos    with --database: an unbounded in-process dictionary in front of the prepared latest-five
//                        query, nothing else (no Redis, auth, rate limit, telemetry): the ceiling of any read path on
//                        this machine for long-tail traffic, since every first read of a channel must reach the database.
using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var body = File.ReadAllBytes(builder.Configuration["body"] ?? throw new ArgumentException("usage: --body <file.json>"));

var app = builder.Build();

app.MapGet("/videos", (HttpContext context) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    return context.Response.Body.WriteAsync(body).AsTask();
});

if (builder.Configuration["database"] is { } connectionString)
{
    var dataSource = new NpgsqlDataSourceBuilder(connectionString + ";Max Auto Prepare=4;No Reset On Close=true").Build();
    var answers = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);

    app.MapGet("/ceiling/videos", async (HttpContext context) =>
    {
        var channelId = context.Request.Query["channel_id"].ToString();
        if (!answers.TryGetValue(channelId, out var answer))
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(
                "SELECT video_id, title, published_at FROM videos WHERE channel_id = $1 ORDER BY published_at DESC, video_id DESC LIMIT 5",
                connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
            await using var reader = await command.ExecuteReaderAsync();
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray(channelId);
                while (await reader.ReadAsync())
                {
                    var published = reader.GetFieldValue<DateTime>(2);
                    json.WriteStartObject();
                    json.WriteString("video_id", reader.GetString(0));
                    json.WriteString("video_title", reader.GetString(1));
                    json.WriteString("upload_date", published.ToString("yyyy-MM-dd"));
                    json.WriteString("published_at", published);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            answers[channelId] = answer = buffer.WrittenSpan.ToArray();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(answer);
    });
}

if (builder.Configuration.GetValue<bool>("youtube"))
{
    YouTubeStandIn.Map(app);
}

app.Run();
