using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace VideoAspire.Tests.Infrastructure;

public enum ApiMode { Ok, QuotaExceeded, KeyInvalid, ServerError, Hang, Slow, StallBody }

public enum FeedMode { Ok, NotFound, ServerError, Hang, StallBody }

/// <param name="Kind">Which kind playlist lists the video besides the uploads: long-form by default.</param>
public sealed record FakeVideo(string VideoId, string Title, DateTimeOffset PublishedAt, VideoKind Kind = VideoKind.Videos);

public sealed class FakeChannel(string id, string title)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public List<FakeVideo> Videos { get; } = [];
    public bool HasUploads { get; set; } = true;

    /// <summary>YouTube stopped serving the per-kind playlists (the scheme is not documented): every one is "not found".</summary>
    public bool KindPlaylistsGone { get; set; }

    /// <summary>
    /// As YouTube has them: a kind playlist exists once the channel has a video of that kind (no live streams ever:
    /// <c>playlistNotFound</c> for <c>UULV…</c>).
    /// </summary>
    public bool HasPlaylist(VideoKind kind) => HasUploads && (kind == VideoKind.All || !KindPlaylistsGone && Videos.Any(v => v.Kind == kind));

    /// <summary>The videos a playlist of the channel lists, in insertion order.</summary>
    public IEnumerable<FakeVideo> Listed(VideoKind kind) => Videos.Where(v => kind == VideoKind.All || v.Kind == kind);
    public ApiMode Api { get; set; } = ApiMode.Ok;
    public FeedMode Feed { get; set; } = FeedMode.Ok;

    /// <summary>The channel's handle without its <c>@</c>, as its owner typed it (YouTube compares without case).</summary>
    public string? Handle { get; set; }

    /// <summary>A legacy username (<c>/user/NAME</c>, <c>forUsername</c>).</summary>
    public string? Username { get; set; }

    /// <summary>A legacy custom URL name (<c>/c/NAME</c>): only the channel page knows it.</summary>
    public string? CustomName { get; set; }
}

/// <summary>
/// A stand-in for YouTube over real HTTP, speaking its wire formats: Data API v3 JSON (channels.list by id, handle or
/// username, playlistItems.list, error bodies), the channel Atom feed and channel pages (their canonical link). It counts calls per channel and calling service.
/// </summary>
public sealed class FakeYouTube : IAsyncDisposable
{
    public const string ApiKey = "test-api-key";

    /// <summary>How long <see cref="ApiMode.Slow"/> takes per call: past the Api's request budget, within its timeouts.</summary>
    public static readonly TimeSpan SlowDelay = TimeSpan.FromMilliseconds(900);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeChannel> _channels = new();
    private readonly ConcurrentDictionary<(string Endpoint, string ChannelId, string Caller), int> _calls = new();

    private FakeYouTube(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>YouTube's WebSub hub, answering at <c>{BaseUrl}/subscribe</c>.</summary>
    public FakeWebSubHub Hub { get; } = new();

    public static async Task<FakeYouTube> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The test output holds the Api's appsettings.json (AllowedHosts: localhost); YouTube answers any host.
        builder.Configuration["AllowedHosts"] = "*";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var fake = new FakeYouTube(builder.Build());
        fake.MapRoutes();
        await fake._app.StartAsync();
        fake.BaseUrl = fake._app.Urls.Single();
        return fake;
    }

    public FakeChannel AddChannel(string channelId, string title = "Fake channel", ApiMode api = ApiMode.Ok, FeedMode feed = FeedMode.Ok)
    {
        var channel = new FakeChannel(channelId, title) { Api = api, Feed = feed };
        _channels[channelId] = channel;
        return channel;
    }

    /// <summary>Calls to an endpoint ("channels", "playlistItems", "feed"; a kind playlist's: "playlistItems:shorts",
    /// "feed:shorts", …) for a channel, optionally from one service only.</summary>
    public int Calls(string endpoint, string channelId, string? callerPrefix = null) =>
        _calls.Where(c => c.Key.Endpoint == endpoint && c.Key.ChannelId == channelId
                          && (callerPrefix is null || c.Key.Caller.StartsWith(callerPrefix, StringComparison.Ordinal)))
              .Sum(c => c.Value);

    /// <summary>Calls to an endpoint for any channel or name.</summary>
    public int Calls(string endpoint) => _calls.Where(c => c.Key.Endpoint == endpoint).Sum(c => c.Value);

    public ValueTask DisposeAsync()
    {
        Hub.Dispose();
        return _app.DisposeAsync();
    }

    private void MapRoutes()
    {
        Hub.Map(_app);
        _app.MapGet("/youtube/v3/channels", async (HttpContext http) =>
        {
            if (FindByName(http) is { } byName)
            {
                return await ChannelByNameAsync(http, byName.Endpoint, byName.Name, byName.Channel);
            }

            var id = http.Request.Query["id"].ToString();
            Count("channels", id, http);
            if (await FailApiAsync(http, id) is { } failure)
            {
                return failure;
            }

            var items = _channels.TryGetValue(id, out var channel)
                ? new[]
                {
                    new
                    {
                        kind = "youtube#channel", etag = "etag-" + id, id,
                        snippet = new { title = channel.Title, description = "", publishedAt = "2015-01-01T00:00:00Z" },
                        contentDetails = new { relatedPlaylists = new { likes = "", uploads = "UU" + id[2..] } },
                    },
                }
                : [];
            // An unknown channel is a 200 without items, exactly as YouTube answers.
            return Results.Json(new
            {
                kind = "youtube#channelListResponse",
                etag = "list-etag",
                pageInfo = new { totalResults = items.Length, resultsPerPage = 5 },
                items,
            });
        });

        _app.MapGet("/{page}", (HttpContext http, string page) => page.StartsWith('@')
            ? ChannelPageAsync(http, c => string.Equals(c.Handle, page[1..], StringComparison.OrdinalIgnoreCase))
            : Task.FromResult(Results.NotFound()));
        _app.MapGet("/user/{name}", (HttpContext http, string name) =>
            ChannelPageAsync(http, c => string.Equals(c.Username, name, StringComparison.OrdinalIgnoreCase)));
        _app.MapGet("/c/{name}", (HttpContext http, string name) =>
            ChannelPageAsync(http, c => string.Equals(c.CustomName, name, StringComparison.OrdinalIgnoreCase)));

        _app.MapGet("/youtube/v3/playlistItems", async (HttpContext http) =>
        {
            var playlistId = http.Request.Query["playlistId"].ToString();
            if (!VideoKinds.TryParsePlaylistId(playlistId, out var id, out var kind))
            {
                id = playlistId;
            }

            Count(Endpoint("playlistItems", kind), id, http);
            if (await FailApiAsync(http, id) is { } failure)
            {
                return failure;
            }

            if (!_channels.TryGetValue(id, out var channel) || !channel.HasPlaylist(kind))
            {
                return Error(404, "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
                    "youtube.playlistItem", "playlistNotFound");
            }

            var max = int.TryParse(http.Request.Query["maxResults"], out var m) ? Math.Clamp(m, 0, 50) : 5;
            // Deliberately in insertion order, not by date: the API's order is not a contract.
            var items = channel.Listed(kind).Take(max).Select((v, position) => new
            {
                kind = "youtube#playlistItem",
                etag = "e" + v.VideoId,
                id = "PL" + v.VideoId,
                snippet = new
                {
                    // When the item was added to the playlist: not the publish time.
                    publishedAt = v.PublishedAt.AddDays(3).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    channelId = id,
                    title = v.Title,
                    description = "",
                    thumbnails = new { @default = new { url = $"https://i.ytimg.com/vi/{v.VideoId}/default.jpg", width = 120, height = 90 } },
                    channelTitle = channel.Title,
                    playlistId,
                    position,
                    resourceId = new { kind = "youtube#video", videoId = v.VideoId },
                    videoOwnerChannelTitle = channel.Title,
                    videoOwnerChannelId = id,
                },
                contentDetails = new { videoId = v.VideoId, videoPublishedAt = v.PublishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
            }).ToArray();
            return Results.Json(new
            {
                kind = "youtube#playlistItemListResponse",
                etag = "items-etag",
                pageInfo = new { totalResults = channel.Listed(kind).Count(), resultsPerPage = max },
                items,
            });
        });

        _app.MapGet("/feeds/videos.xml", async (HttpContext http) =>
        {
            // A channel's feed (?channel_id=UC…) or a playlist's (?playlist_id=UULF…).
            var playlistId = http.Request.Query["playlist_id"].ToString();
            var kind = VideoKind.All;
            var id = playlistId.Length > 0 && VideoKinds.TryParsePlaylistId(playlistId, out var owner, out kind)
                ? owner
                : http.Request.Query["channel_id"].ToString();
            Count(Endpoint("feed", kind), id, http);
            _channels.TryGetValue(id, out var channel);
            var mode = channel is null || !channel.HasPlaylist(kind) && playlistId.Length > 0 ? FeedMode.NotFound : channel.Feed;
            switch (mode)
            {
                case FeedMode.Hang:
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                    return Results.Empty;
                case FeedMode.StallBody:
                    await StallBodyAsync(http, "application/atom+xml; charset=UTF-8", AtomFeed(channel!, kind)[..200]);
                    return Results.Empty;
                case FeedMode.ServerError:
                    return Results.Text("<html><body>Internal Server Error</body></html>", "text/html", statusCode: 500);
                case FeedMode.NotFound:
                    return Results.Text("<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title></html>", "text/html", statusCode: 404);
                default:
                    return Results.Text(AtomFeed(channel!, kind), "application/atom+xml; charset=UTF-8");
            }
        });
    }

    private static string Endpoint(string name, VideoKind kind) => kind == VideoKind.All ? name : $"{name}:{kind.Name()}";

    private static string AtomFeed(FakeChannel channel, VideoKind kind)
    {
        const string atom = "http://www.w3.org/2005/Atom", yt = "http://www.youtube.com/xml/schemas/2015", media = "http://search.yahoo.com/mrss/";
        using var output = new MemoryStream();
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
        {
            xml.WriteStartElement("feed", atom);
            xml.WriteAttributeString("xmlns", "yt", null, yt);
            xml.WriteAttributeString("xmlns", "media", null, media);
            if (kind == VideoKind.All)
            {
                WriteLink(xml, "self", $"http://www.youtube.com/feeds/videos.xml?channel_id={channel.Id}");
                xml.WriteElementString("id", atom, $"yt:channel:{channel.Id[2..]}");
            }
            else
            {
                // A playlist's feed names the playlist first, then its channel.
                var playlistId = kind.PlaylistId(channel.Id);
                WriteLink(xml, "self", $"http://www.youtube.com/feeds/videos.xml?playlist_id={playlistId}");
                xml.WriteElementString("id", atom, $"yt:playlist:{playlistId}");
                xml.WriteElementString("playlistId", yt, playlistId);
            }

            xml.WriteElementString("channelId", yt, channel.Id[2..]);
            xml.WriteElementString("title", atom, channel.Title);
            WriteLink(xml, "alternate", $"https://www.youtube.com/channel/{channel.Id}");
            WriteAuthor(xml, channel);
            xml.WriteElementString("published", atom, "2015-01-01T00:00:00+00:00");
            foreach (var video in channel.Listed(kind).OrderByDescending(v => v.PublishedAt).Take(15))
            {
                var published = video.PublishedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
                xml.WriteStartElement("entry", atom);
                xml.WriteElementString("id", atom, $"yt:video:{video.VideoId}");
                xml.WriteElementString("videoId", yt, video.VideoId);
                xml.WriteElementString("channelId", yt, channel.Id);
                xml.WriteElementString("title", atom, video.Title);
                WriteLink(xml, "alternate", $"https://www.youtube.com/watch?v={video.VideoId}");
                WriteAuthor(xml, channel);
                xml.WriteElementString("published", atom, published);
                xml.WriteElementString("updated", atom, published);
                xml.WriteStartElement("group", media);
                xml.WriteElementString("title", media, video.Title);
                xml.WriteStartElement("thumbnail", media);
                xml.WriteAttributeString("url", $"https://i1.ytimg.com/vi/{video.VideoId}/hqdefault.jpg");
                xml.WriteAttributeString("width", "480");
                xml.WriteAttributeString("height", "360");
                xml.WriteEndElement();
                xml.WriteElementString("description", media, "");
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        return Encoding.UTF8.GetString(output.ToArray());

        static void WriteLink(XmlWriter xml, string rel, string href)
        {
            xml.WriteStartElement("link", atom);
            xml.WriteAttributeString("rel", rel);
            xml.WriteAttributeString("href", href);
            xml.WriteEndElement();
        }

        static void WriteAuthor(XmlWriter xml, FakeChannel channel)
        {
            xml.WriteStartElement("author", atom);
            xml.WriteElementString("name", atom, channel.Title);
            xml.WriteElementString("uri", atom, $"https://www.youtube.com/channel/{channel.Id}");
            xml.WriteEndElement();
        }
    }

    /// <summary>A <c>forHandle</c> or <c>forUsername</c> lookup: the endpoint it counts under, the name asked, the channel.</summary>
    private (string Endpoint, string Name, FakeChannel? Channel)? FindByName(HttpContext http)
    {
        if (http.Request.Query["forHandle"] is [{ } handle])
        {
            var name = handle.TrimStart('@');
            return ("channels:forHandle", "@" + name.ToLowerInvariant(),
                _channels.Values.FirstOrDefault(c => string.Equals(c.Handle, name, StringComparison.OrdinalIgnoreCase)));
        }

        if (http.Request.Query["forUsername"] is [{ } username])
        {
            return ("channels:forUsername", username.ToLowerInvariant(),
                _channels.Values.FirstOrDefault(c => string.Equals(c.Username, username, StringComparison.OrdinalIgnoreCase)));
        }

        return null;
    }

    /// <summary>As YouTube answers <c>channels.list?forHandle=</c>: the channel with its handle as <c>customUrl</c>, or no items.</summary>
    private async Task<IResult> ChannelByNameAsync(HttpContext http, string endpoint, string name, FakeChannel? channel)
    {
        Count(endpoint, name, http);
        if (await FailApiAsync(http, channel?.Id ?? "") is { } failure)
        {
            return failure;
        }

        var items = channel is null
            ? []
            : new[]
            {
                new
                {
                    kind = "youtube#channel", etag = "etag-" + channel.Id, id = channel.Id,
                    snippet = new
                    {
                        title = channel.Title, description = "", customUrl = channel.Handle is null ? null : "@" + channel.Handle.ToLowerInvariant(),
                        publishedAt = "2015-01-01T00:00:00Z",
                    },
                },
            };
        return Results.Json(new { kind = "youtube#channelListResponse", etag = "list-etag", pageInfo = new { totalResults = items.Length, resultsPerPage = 5 }, items });
    }

    /// <summary>
    /// A channel page as YouTube serves it, cut down: a head with the title, the canonical link to /channel/UC…, padding
    /// standing in for the inline scripts, and a body. Unknown names are a 404. Counted as "page" under the path asked.
    /// </summary>
    private async Task<IResult> ChannelPageAsync(HttpContext http, Func<FakeChannel, bool> matches)
    {
        var path = Uri.UnescapeDataString(http.Request.Path.Value ?? "").ToLowerInvariant();
        Count("page", path, http);
        if (PagesRedirectTo is { } elsewhere)
        {
            return Results.Redirect(elsewhere + "?continue=" + Uri.EscapeDataString("https://www.youtube.com" + path));
        }

        if (_channels.Values.FirstOrDefault(matches) is not { } channel)
        {
            return Results.NotFound();
        }

        var title = System.Net.WebUtility.HtmlEncode(channel.Title);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><title>").Append(title).Append(" - YouTube</title>")
            .Append("<meta name=\"title\" content=\"").Append(title).Append("\">")
            .Append("<script nonce=\"n\">var ytcfg = {").Append('x', PagePaddingBytes).Append("};</script>")
            .Append("<link rel=\"canonical\" href=\"https://www.youtube.com/channel/").Append(channel.Id).Append("\">")
            .Append("<meta property=\"og:title\" content=\"").Append(title).Append("\">")
            .Append("</head><body>").Append('y', PagePaddingBytes).Append("</body></html>");
        await Task.CompletedTask;
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    /// <summary>Bytes of script before the canonical link (and of body after it): real pages are 0.5–1 MB.</summary>
    public int PagePaddingBytes { get; set; } = 200_000;

    /// <summary>When set, every channel page redirects there (a consent page on another host, as some regions see).</summary>
    public string? PagesRedirectTo { get; set; }

    private async Task<IResult?> FailApiAsync(HttpContext http, string channelId)
    {
        if (http.Request.Query["key"] != ApiKey)
        {
            return KeyInvalid();
        }

        _channels.TryGetValue(channelId, out var channel);
        switch (channel?.Api ?? ApiMode.Ok)
        {
            case ApiMode.QuotaExceeded:
                return Error(403, "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
                    "youtube.quota", "quotaExceeded");
            case ApiMode.KeyInvalid:
                return KeyInvalid();
            case ApiMode.ServerError:
                return Error(503, "The service is currently unavailable.", "global", "backendError");
            case ApiMode.Hang:
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
                return Results.Empty;
            case ApiMode.StallBody:
                await StallBodyAsync(http, "application/json; charset=UTF-8", "{\n  \"kind\": \"youtube#channelListResponse\",\n  \"items\": [");
                return Results.Empty;
            case ApiMode.Slow:
                await Task.Delay(SlowDelay, http.RequestAborted); // then answers normally
                return null;
            default:
                return null;
        }
    }

    /// <summary>200 and the start of a real body, then nothing more until the client gives up.</summary>
    private static async Task StallBodyAsync(HttpContext http, string contentType, string start)
    {
        http.Response.ContentType = contentType;
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(start), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        await Task.Delay(Timeout.Infinite, http.RequestAborted);
    }

    /// <summary>The newer "API key not valid" form, with google.rpc.ErrorInfo details.</summary>
    private static IResult KeyInvalid() => Results.Json(new
    {
        error = new
        {
            code = 400,
            message = "API key not valid. Please pass a valid API key.",
            errors = new[] { new { message = "API key not valid. Please pass a valid API key.", domain = "global", reason = "badRequest" } },
            status = "INVALID_ARGUMENT",
            details = new object[]
            {
                new Dictionary<string, object>
                {
                    ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                    ["reason"] = "API_KEY_INVALID",
                    ["domain"] = "googleapis.com",
                    ["metadata"] = new { service = "youtube.googleapis.com" },
                },
            },
        },
    }, statusCode: 400);

    private static IResult Error(int code, string message, string domain, string reason) => Results.Json(new
    {
        error = new
        {
            code,
            message,
            errors = new[] { new { message, domain, reason, location = "", locationType = "parameter" } },
        },
    }, statusCode: code);

    private void Count(string endpoint, string channelId, HttpContext http) =>
        _calls.AddOrUpdate((endpoint, channelId, http.Request.Headers.UserAgent.ToString()), 1, (_, n) => n + 1);
}
