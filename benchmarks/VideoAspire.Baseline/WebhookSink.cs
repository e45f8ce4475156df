using System.Text.Json;

/// <summary>
/// `make benchmark-notify`'s receiver: any <c>POST /hooks/{n}</c> is a webhook endpoint; it answers a verification's
/// challenge and 204 to an event, and records each event's time from commit (its <c>timestamp</c>) to receipt.
/// <c>GET /sink/stats</c>: received, distinct webhook-ids, first and last receipt, p50/p99/max; <c>POST /sink/reset</c>.
/// Does not verify signatures: it stands for many receivers, and would measure its own HMAC.
/// </summary>
internal static class WebhookSink
{
    private const int Buckets = 120_000; // milliseconds

    private static readonly object Gate = new();
    private static long[] latencies = new long[Buckets + 1];
    private static readonly HashSet<string> Ids = new(StringComparer.Ordinal);
    private static long received;
    private static DateTimeOffset? first;
    private static DateTimeOffset? last;

    public static void Map(WebApplication app)
    {
        app.MapPost("/hooks/{n}", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var now = DateTimeOffset.UtcNow;
            var root = body.RootElement;
            if (root.GetProperty("type").GetString() == "webhook.verification")
            {
                return Results.Json(new { challenge = root.GetProperty("data").GetProperty("challenge").GetString() });
            }

            var lag = (now - root.GetProperty("timestamp").GetDateTimeOffset()).TotalMilliseconds;
            lock (Gate)
            {
                latencies[(int)Math.Clamp(lag, 0, Buckets)]++;
                Ids.Add(context.Request.Headers["webhook-id"].ToString());
                received++;
                first ??= now;
                last = now;
            }

            return Results.NoContent();
        });

        app.MapGet("/sink/stats", () =>
        {
            lock (Gate)
            {
                return Results.Json(new
                {
                    received,
                    distinct = Ids.Count,
                    seconds = first is { } f && last is { } l ? (l - f).TotalSeconds : 0,
                    p50_ms = Percentile(0.50),
                    p99_ms = Percentile(0.99),
                    max_ms = Percentile(1.0),
                });
            }
        });

        app.MapPost("/sink/reset", () =>
        {
            lock (Gate)
            {
                latencies = new long[Buckets + 1];
                Ids.Clear();
                received = 0;
                first = last = null;
            }

            return Results.NoContent();
        });
    }

    private static int Percentile(double share)
    {
        var target = (long)Math.Ceiling(received * share);
        long seen = 0;
        for (var ms = 0; ms <= Buckets; ms++)
        {
            seen += latencies[ms];
            if (seen >= target && seen > 0)
            {
                return ms;
            }
        }

        return 0;
    }
}
