using System.Xml;
using System.Xml.Linq;

namespace VideoAspire.YouTube;

/// <summary>YouTube's Atom documents (the channel feed, WebSub notifications): their names, and a reader for untrusted input.</summary>
internal static class YouTubeAtom
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace Yt = "http://www.youtube.com/xml/schemas/2015";
    public static readonly XNamespace Tombstones = "http://purl.org/atompub/tombstones/1.0";

    /// <summary>No DTD (entity expansion), no external resource, a bounded size.</summary>
    public static XmlReaderSettings ReaderSettings(long maxCharacters, bool async = false) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        Async = async,
    };
}
