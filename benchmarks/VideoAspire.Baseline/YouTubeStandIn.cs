using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

/// <summary>
/// YouTube for `make chaos`, in its real wire formats: every channel id starting with UCchaos exists and has five
/// uploads whose ids derive from the channel id; anything else does not exist. Counts the channels it answered.
/// </summary>
internal static class YouTubeStandIn
{
    public const int VideosPerChannel = 5;
    private static readonly ConcurrentDictionary<string, byte> Served = new();
    private static int _delayMilliseconds;

    public static void Map(WebApplication app)
    {
        app.MapPost("/admin/slow", (int ms) => _delayMilliseconds = ms);
        app.MapGet("/admin/served", () => string.Join('\n', Served.Keys));

        app.MapGet("/youtube/v3/channels", async (string id) =>
        {
            await Delay();
            var items = Exists(id)
                ? new[] { new { kind = "youtube#channel", id, snippet = new { title = "Chaos " + id }, contentDetails = new { relatedPlaylists = new { uploads = "UU" + id[2..] } } } }
                : [];
            return Results.Json(new { kind = "youtube#channelListResponse", items });
        });

        app.MapGet("/youtube/v3/playlistItems", async (string playlistId) =>
        {
            await Delay();
            var channel = "UC" + playlistId[2..];
            if (!Exists(channel))
            {
                return Results.Json(new { error = new { code = 404, message = "playlistNotFound", errors = new[] { new { reason = "playlistNotFound" } } } }, statusCode: 404);
            }

            Served.TryAdd(channel, 0);
            var items = Videos(channel).Select(v => new
            {
                kind = "youtube#playlistItem",
                snippet = new { title = v.Title, channelId = channel },
                contentDetails = new { videoId = v.Id, videoPublishedAt = v.Published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
            });
            return Results.Json(new { kind = "youtube#playlistItemListResponse", items });
        });

        app.MapGet("/feeds/videos.xml", async (string channel_id) =>
        {
            await Delay();
            if (!Exists(channel_id))
            {
                return Results.NotFound();
            }

            Served.TryAdd(channel_id, 0);
            var feed = new StringBuilder("""<?xml version="1.0" encoding="UTF-8"?><feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">""");
            feed.Append(CultureInfo.InvariantCulture, $"<title>Chaos {channel_id}</title><author><name>Chaos {channel_id}</name></author>");
            foreach (var v in Videos(channel_id))
            {
                feed.Append(CultureInfo.InvariantCulture,
                    $"<entry><yt:videoId>{v.Id}</yt:videoId><title>{v.Title}</title><published>{v.Published:yyyy-MM-ddTHH:mm:ss+00:00}</published></entry>");
            }

            return Results.Text(feed.Append("</feed>").ToString(), "application/atom+xml; charset=UTF-8");
        });
    }

    private static bool Exists(string? channelId) => channelId is { Length: 24 } && channelId.StartsWith("UCchaos", StringComparison.Ordinal);

    /// <summary>Video ids: "c" + the channel's 17-digit number in base 36 (9 characters) + the upload's index.</summary>
    private static IEnumerable<(string Id, string Title, DateTime Published)> Videos(string channelId)
    {
        var number = ulong.Parse(channelId[7..], CultureInfo.InvariantCulture);
        var base36 = new StringBuilder();
        for (var n = number; base36.Length < 9; n /= 36)
        {
            base36.Insert(0, "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(n % 36)]);
        }

        return Enumerable.Range(0, VideosPerChannel).Select(i =>
            ("c" + base36 + i, $"Chaos video {i}", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours((double)(number % 10_000) + i)));
    }

    private static Task Delay() => _delayMilliseconds > 0 ? Task.Delay(_delayMilliseconds) : Task.CompletedTask;
}
