using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>One (un)subscription request the hub received.</summary>
public sealed record HubRequest(string Mode, string ChannelId, string Callback, int? LeaseSeconds, DateTimeOffset At);

/// <summary>
/// A stand-in for YouTube's WebSub hub (PubSubHubbub 0.4) over real HTTP: subscribe and unsubscribe requests as
/// forms, answered 202, then the intent verified by calling the callback with a challenge; notifications POSTed as
/// YouTube's Atom documents, signed with the subscriber's secret (X-Hub-Signature: sha1=…).
/// </summary>
public sealed class FakeWebSubHub : IDisposable
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Yt = "http://www.youtube.com/xml/schemas/2015";
    private static readonly XNamespace Tombstones = "http://purl.org/atompub/tombstones/1.0";
    private const string TopicPrefix = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=";

    private readonly ConcurrentDictionary<string, int> _leaseToGrant = new();
    private readonly ConcurrentDictionary<string, (Uri Callback, string Secret, DateTimeOffset LeaseEnds)> _subscriptions = new();
    private readonly ConcurrentQueue<HubRequest> _requests = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Where the callback URL's host really is: the public callback names an ingress, which in the tests is the Api's
    /// own address (set once the AppHost runs). Requests for other hosts are not delivered.
    /// </summary>
    public Uri? CallbackTarget { get; set; }

    /// <summary>Verify intents for this channel (granting this lease); intents for other channels stay unverified.</summary>
    public void Accept(string channelId, int leaseSeconds = 432_000) => _leaseToGrant[channelId] = leaseSeconds;

    public IReadOnlyList<HubRequest> Requests(string channelId) => _requests.Where(r => r.ChannelId == channelId).ToList();

    /// <summary>A verified subscription with a lease still running.</summary>
    public bool IsSubscribed(string channelId) =>
        _subscriptions.TryGetValue(channelId, out var subscription) && subscription.LeaseEnds > DateTimeOffset.UtcNow;

    internal void Map(WebApplication app) => app.MapPost("/subscribe", async (HttpContext http) =>
    {
        var form = await http.Request.ReadFormAsync();
        var mode = form["hub.mode"].ToString();
        var topic = form["hub.topic"].ToString();
        if (mode is not ("subscribe" or "unsubscribe") || !topic.StartsWith(TopicPrefix, StringComparison.Ordinal)
            || !Uri.TryCreate(form["hub.callback"], UriKind.Absolute, out var callback))
        {
            return Results.BadRequest();
        }

        var channelId = topic[TopicPrefix.Length..];
        int? lease = int.TryParse(form["hub.lease_seconds"], CultureInfo.InvariantCulture, out var asked) ? asked : null;
        _requests.Enqueue(new HubRequest(mode, channelId, callback.ToString(), lease, DateTimeOffset.UtcNow));
        if (_leaseToGrant.TryGetValue(channelId, out var granted))
        {
            var secret = form["hub.secret"].ToString();
            _ = Task.Run(() => VerifyAsync(mode, channelId, topic, callback, secret, granted)); // asynchronous, as the real hub
        }

        return Results.Accepted();
    });

    /// <summary>What the hub does after a request: asks the callback to echo a challenge, then records the outcome.</summary>
    private async Task VerifyAsync(string mode, string channelId, string topic, Uri callback, string secret, int leaseSeconds)
    {
        if (CallbackTarget is null)
        {
            return; // not reachable yet
        }

        var challenge = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var url = $"{Deliverable(callback)}?hub.mode={mode}&hub.topic={Uri.EscapeDataString(topic)}" +
                  $"&hub.challenge={challenge}&hub.lease_seconds={leaseSeconds}";
        try
        {
            using var response = await _http.GetAsync(url);
            if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == challenge)
            {
                if (mode == "subscribe")
                {
                    _subscriptions[channelId] = (callback, secret, DateTimeOffset.UtcNow.AddSeconds(leaseSeconds));
                }
                else
                {
                    _subscriptions.TryRemove(channelId, out _);
                }
            }
        }
        catch (HttpRequestException)
        {
            // Unreachable subscriber: the intent stays unverified, as with the real hub.
        }
    }

    /// <summary>Sends a new upload or a changed video, as YouTube does, to the channel's verified subscriber.</summary>
    public Task<HttpResponseMessage> PushVideoAsync(string channelId, FakeVideo video, DateTimeOffset updated) =>
        PushAsync(channelId, VideoNotification(channelId, video, updated));

    public Task<HttpResponseMessage> PushDeletionAsync(string channelId, string videoId, DateTimeOffset when) =>
        PushAsync(channelId, DeletionNotification(channelId, videoId, when));

    /// <summary>POSTs a body to the subscriber, signed with its secret unless <paramref name="signature"/> says otherwise.</summary>
    public async Task<HttpResponseMessage> PushAsync(string channelId, string body, string? signature = null, bool signed = true)
    {
        var (callback, secret, _) = _subscriptions.TryGetValue(channelId, out var subscription)
            ? subscription
            : throw new InvalidOperationException($"No verified subscription for {channelId}.");
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, Deliverable(callback)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/atom+xml");
        if (signed)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature",
                signature ?? "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), bytes)));
        }

        return await _http.SendAsync(request);
    }

    /// <summary>The notification YouTube sends for an upload or a change: one entry, <c>updated</c> with nanoseconds.</summary>
    public static string VideoNotification(string channelId, FakeVideo video, DateTimeOffset updated) => Feed(channelId,
        new XElement(Atom + "entry",
            new XElement(Atom + "id", $"yt:video:{video.VideoId}"),
            new XElement(Yt + "videoId", video.VideoId),
            new XElement(Yt + "channelId", channelId),
            new XElement(Atom + "title", video.Title),
            new XElement(Atom + "link", new XAttribute("rel", "alternate"), new XAttribute("href", $"https://www.youtube.com/watch?v={video.VideoId}")),
            new XElement(Atom + "author",
                new XElement(Atom + "name", "Fake channel"),
                new XElement(Atom + "uri", $"https://www.youtube.com/channel/{channelId}")),
            new XElement(Atom + "published", video.PublishedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
            new XElement(Atom + "updated", updated.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "34+00:00")));

    /// <summary>The notification YouTube sends when a video is deleted: a tombstone naming the channel.</summary>
    public static string DeletionNotification(string channelId, string videoId, DateTimeOffset when) => Feed(channelId,
        new XElement(Tombstones + "deleted-entry",
            new XAttribute("ref", $"yt:video:{videoId}"),
            new XAttribute("when", when.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "+00:00"),
            new XElement(Atom + "link", new XAttribute("href", $"https://www.youtube.com/watch?v={videoId}")),
            new XElement(Tombstones + "by",
                new XElement(Atom + "name", "Fake channel"),
                new XElement(Atom + "uri", $"https://www.youtube.com/channel/{channelId}"))));

    private static string Feed(string channelId, XElement item) => new XDocument(new XDeclaration("1.0", "UTF-8", null),
        new XElement(Atom + "feed",
            new XAttribute(XNamespace.Xmlns + "yt", Yt),
            new XAttribute(XNamespace.Xmlns + "at", Tombstones),
            new XElement(Atom + "link", new XAttribute("rel", "hub"), new XAttribute("href", "https://pubsubhubbub.appspot.com")),
            new XElement(Atom + "link", new XAttribute("rel", "self"), new XAttribute("href", TopicPrefix + channelId)),
            new XElement(Atom + "title", "YouTube video feed"),
            new XElement(Atom + "updated", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00+00:00"),
            item)).ToString();

    private Uri Deliverable(Uri callback) => CallbackTarget is { } target
        ? new Uri(target, callback.AbsolutePath)
        : throw new InvalidOperationException("The hub has no route to the callback yet (CallbackTarget).");
}
