using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using static VideoAspire.YouTube.YouTubeAtom;

namespace VideoAspire.YouTube.WebSub;

/// <summary>
/// One notification body from YouTube's WebSub hub (an Atom feed with one <c>&lt;entry&gt;</c>, or an
/// <c>&lt;at:deleted-entry&gt;</c>) as the snapshots it becomes on the hand-off: one per pushed item, timed by the
/// item's own time (<c>updated</c>, or the deletion's <c>when</c>). The writer applies an item only over data no newer,
/// so repeats and late arrivals change nothing.
/// </summary>
public sealed partial record WebSubNotification(IReadOnlyList<ChannelSnapshot> Uploads, IReadOnlyList<ChannelSnapshot> Deletions)
{
    /// <summary>Channel id from the topic URL of the feed, when no element names it.</summary>
    private const string ChannelUriPrefix = "https://www.youtube.com/channel/";

    /// <summary>
    /// Parses a body already read within its size cap. Untrusted input: no DTD (entity expansion), no external
    /// resources; entries without a well-formed video id, channel id or time are dropped.
    /// </summary>
    /// <exception cref="XmlException">The body is not a well-formed document (or carries a DTD).</exception>
    public static WebSubNotification Parse(ReadOnlyMemory<byte> body)
    {
        using var stream = new MemoryStream(body.ToArray(), writable: false);
        using var reader = XmlReader.Create(stream, YouTubeAtom.ReaderSettings(body.Length * 4L + 1024));
        var root = XDocument.Load(reader).Root ?? throw new XmlException("Empty document.");

        var videos = root.Elements(Atom + "entry").Select(entry =>
        {
            var videoId = (string?)entry.Element(Yt + "videoId");
            var channelId = (string?)entry.Element(Yt + "channelId");
            var published = ParseTime((string?)entry.Element(Atom + "published"));
            var updated = ParseTime((string?)entry.Element(Atom + "updated")) ?? published;
            return VideoId.IsValid(videoId) && ChannelId.IsValid(channelId) && published is not null && updated is not null
                ? new ChannelSnapshot(channelId, null, [new FetchedVideo(videoId, (string?)entry.Element(Atom + "title") ?? "", published.Value)],
                    ChannelSnapshot.WebSubSource, updated.Value)
                : null;
        }).OfType<ChannelSnapshot>().ToList();

        var deletions = root.Elements(Tombstones + "deleted-entry").Select(deleted =>
        {
            var reference = (string?)deleted.Attribute("ref");
            var videoId = reference?.StartsWith("yt:video:", StringComparison.Ordinal) == true ? reference["yt:video:".Length..] : null;
            var byUri = (string?)deleted.Element(Tombstones + "by")?.Element(Atom + "uri");
            var channelId = byUri?.StartsWith(ChannelUriPrefix, StringComparison.Ordinal) == true ? byUri[ChannelUriPrefix.Length..] : null;
            var when = ParseTime((string?)deleted.Attribute("when"));
            return VideoId.IsValid(videoId) && ChannelId.IsValid(channelId) && when is not null
                ? new ChannelSnapshot(channelId, null, [], ChannelSnapshot.WebSubSource, when.Value, [videoId])
                : null;
        }).OfType<ChannelSnapshot>().ToList();

        return new WebSubNotification(videos, deletions);
    }

    public IEnumerable<ChannelSnapshot> Snapshots => Uploads.Concat(Deletions);

    /// <summary>RFC 3339 with up to nine fractional digits (YouTube's <c>updated</c> has nanoseconds; .NET keeps seven).</summary>
    private static DateTimeOffset? ParseTime(string? value) =>
        value is not null && DateTimeOffset.TryParse(ExcessFraction().Replace(value, "$1"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : null;

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex ExcessFraction();
}
