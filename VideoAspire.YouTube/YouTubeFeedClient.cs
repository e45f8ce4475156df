using System.Net;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoAspire.Domain.Ports;

namespace VideoAspire.YouTube;

/// <summary>
/// The keyless channel Atom feed (<c>/feeds/videos.xml?channel_id=…</c>, at most 15 entries; a kind playlist's is
/// <c>?playlist_id=…</c>). The fallback source:
/// no quota, but it has had multi-hour outages, so it is never preferred when an API key exists.
/// </summary>
public sealed partial class YouTubeFeedClient(
    HttpClient http, IOptions<YouTubeOptions> options, TimeProvider timeProvider, ILogger<YouTubeFeedClient> logger) : IChannelSource
{
    public const string SourceName = "feed";

    public string Name => SourceName;

    /// <summary>Keyless: always.</summary>
    public bool IsEnabled => true;

    /// <summary>A real feed is ~30 KB (15 entries); anything far larger is not one.</summary>
    private const int MaxFeedBytes = 4_000_000;

    // Upstream content is untrusted.
    private static readonly XmlReaderSettings ReaderSettings = YouTubeAtom.ReaderSettings(MaxFeedBytes, async: true);

    public async Task<(FetchResult? Result, SourceFailure? Failure)> FetchAsync(string channelId, QuotaPayer payer, CancellationToken cancellationToken)
    {
        var (feed, failure) = await GetFeedAsync($"feeds/videos.xml?channel_id={channelId}", cancellationToken);
        return feed is null
            ? (failure is null ? new FetchResult.NotFound(SourceName) : null, failure)
            : (new FetchResult.Found(Parse(channelId, feed, timeProvider.GetUtcNow())), null);
    }

    /// <summary>The newest videos of the channel's playlist of <paramref name="kind"/> (its feed,
    /// <c>?playlist_id=UULF…</c>); null when there is no such playlist (404).</summary>
    public async Task<(IReadOnlyList<FetchedVideo>? Videos, SourceFailure? Failure)> FetchKindAsync(
        string channelId, VideoKind kind, QuotaPayer payer, CancellationToken cancellationToken)
    {
        var (feed, failure) = await GetFeedAsync($"feeds/videos.xml?playlist_id={kind.PlaylistId(channelId)}", cancellationToken);
        return feed is null
            ? (null, failure)
            : (Parse(channelId, feed, timeProvider.GetUtcNow()).Videos.Select(video => video with { Kind = kind }).ToList(), null);
    }

    /// <returns>The feed; or null and no failure for a 404 (no such channel or playlist).</returns>
    private async Task<(XDocument? Feed, SourceFailure? Failure)> GetFeedAsync(string path, CancellationToken cancellationToken)
    {
        // One budget for headers AND body (the resilience handler's timeouts end when the headers arrive).
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.TotalTimeout);
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, budget.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (null, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                LogFeedError((int)response.StatusCode);
                return (null, SourceFailure.Unavailable);
            }

            // Buffered under the budget first: XmlReader's own reads take no token, so a stalled stream would block it.
            await response.Content.LoadIntoBufferAsync(MaxFeedBytes, budget.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(budget.Token);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            return (await XDocument.LoadAsync(reader, LoadOptions.None, budget.Token), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or XmlException or Polly.ExecutionRejectedException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFeedUnreachable(ex);
            return (null, SourceFailure.Unavailable);
        }
    }

    internal static ChannelSnapshot Parse(string channelId, XDocument feed, DateTimeOffset fetchedAt)
    {
        var root = feed.Root ?? throw new XmlException("Empty feed.");
        var videos = root.Elements(YouTubeAtom.Atom + "entry")
            .Select(entry => (
                Id: (string?)entry.Element(YouTubeAtom.Yt + "videoId"),
                Title: (string?)entry.Element(YouTubeAtom.Atom + "title"),
                Published: DateTimeOffset.TryParse((string?)entry.Element(YouTubeAtom.Atom + "published"), out var at) ? at : (DateTimeOffset?)null))
            .Where(e => !string.IsNullOrEmpty(e.Id) && e.Published is not null)
            .Select(e => new FetchedVideo(e.Id!, e.Title ?? "", e.Published!.Value))
            .ToList();
        var title = (string?)root.Element(YouTubeAtom.Atom + "author")?.Element(YouTubeAtom.Atom + "name") ?? (string?)root.Element(YouTubeAtom.Atom + "title");
        return new ChannelSnapshot(channelId, title, videos, SourceName, fetchedAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube channel feed answered {StatusCode}")]
    private partial void LogFeedError(int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube channel feed unreachable or unreadable")]
    private partial void LogFeedUnreachable(Exception exception);
}
