using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace VideoAspire.Domain;

/// <summary>
/// A channel as a person names it: a <c>UC…</c> id, an <c>@handle</c>, or a YouTube URL they pasted
/// (<c>/@name</c>, <c>/channel/UC…</c>, <c>/user/NAME</c>, <c>/c/NAME</c>). The one definition of what is accepted and of
/// its normalised <see cref="Key"/>: the key of the answer and of every cache of the resolution.
/// </summary>
public sealed record ChannelReference
{
    /// <summary>Longest input looked at: a URL someone pasted with tracking parameters fits; anything longer is refused.</summary>
    public const int MaxInputLength = 512;

    /// <summary>What a 400 lists as accepted.</summary>
    public const string AcceptedForms =
        "a channel id (UC followed by 22 letters, digits, '-' or '_'), a handle (@name: 3 to 30 letters, digits, '_', '-' or '.'), " +
        "or a URL on youtube.com, www.youtube.com or m.youtube.com of the form /@name, /channel/UC…, /user/NAME or /c/NAME " +
        "(with or without https://, without a user name or port)";

    private static readonly string[] YouTubeHosts = ["youtube.com", "www.youtube.com", "m.youtube.com"];

    private ChannelReference(ChannelReferenceKind kind, string name)
    {
        Kind = kind;
        Name = name;
        Key = kind switch
        {
            ChannelReferenceKind.Id => name,
            ChannelReferenceKind.Handle => "@" + name,
            ChannelReferenceKind.Username => "youtube.com/user/" + name,
            _ => "youtube.com/c/" + name,
        };
    }

    public ChannelReferenceKind Kind { get; }

    /// <summary>The id, the handle without its <c>@</c>, the username or the custom name; lower-cased except an id.</summary>
    public string Name { get; }

    /// <summary>
    /// The normalised form, as the answer's key: <c>UC…</c>, <c>@name</c>, <c>youtube.com/user/name</c> or
    /// <c>youtube.com/c/name</c>. Case variants of one handle, username or custom name share it.
    /// </summary>
    public string Key { get; }

    /// <summary>The channel page's path on youtube.com, escaped (the keyless source reads it).</summary>
    public string PagePath => Kind switch
    {
        ChannelReferenceKind.Id => "/channel/" + Name,
        ChannelReferenceKind.Handle => "/@" + Uri.EscapeDataString(Name),
        ChannelReferenceKind.Username => "/user/" + Uri.EscapeDataString(Name),
        _ => "/c/" + Uri.EscapeDataString(Name),
    };

    public static ChannelReference ForId(string channelId) => ChannelId.IsValid(channelId)
        ? new ChannelReference(ChannelReferenceKind.Id, channelId)
        : throw new ArgumentException("Not a channel id.", nameof(channelId));

    /// <summary>A <c>handle=</c> value: a handle, with or without its <c>@</c>.</summary>
    public static bool TryParseHandle(string? input, [NotNullWhen(true)] out ChannelReference? reference)
    {
        reference = null;
        if (input is null || input.Length > MaxInputLength)
        {
            return false;
        }

        var handle = input.Trim();
        return TryHandle(handle.StartsWith('@') ? handle[1..] : handle, out reference);
    }

    /// <summary>A <c>channel=</c> value: an id, an <c>@handle</c> or a YouTube channel URL.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out ChannelReference? reference)
    {
        reference = null;
        if (input is null || input.Length > MaxInputLength)
        {
            return false;
        }

        var value = input.Trim();
        if (ChannelId.IsValid(value))
        {
            reference = new ChannelReference(ChannelReferenceKind.Id, value);
            return true;
        }

        if (value.StartsWith('@'))
        {
            return TryHandle(value[1..], out reference);
        }

        return TryUrl(value, out reference);
    }

    private static bool TryUrl(string value, [NotNullWhen(true)] out ChannelReference? reference)
    {
        reference = null;
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            // Pasted without a scheme ("youtube.com/@name"); anything with another scheme ("javascript:") has no "://"
            // either and fails on its host below.
            value = "https://" + value;
        }
        else if (!value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // The host as typed: ASCII only (no look-alike or full-width letters for the parser to fold), no user name and
        // no port, not even the default one.
        var hostStart = value.IndexOf("://", StringComparison.Ordinal) + 3;
        var hostEnd = value.IndexOfAny(['/', '?', '#'], hostStart);
        var host = hostEnd < 0 ? value[hostStart..] : value[hostStart..hostEnd];
        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !YouTubeHosts.Contains(host, StringComparer.OrdinalIgnoreCase)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !YouTubeHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return false;
        }

        if (segments[0].StartsWith('@'))
        {
            return TryUnescape(segments[0][1..], out var handle) && TryHandle(handle, out reference);
        }

        if (segments.Length < 2 || !TryUnescape(segments[1], out var name))
        {
            return false;
        }

        switch (segments[0])
        {
            case "channel" when ChannelId.IsValid(name):
                reference = new ChannelReference(ChannelReferenceKind.Id, name);
                return true;
            case "user" when IsLegacyName(name, allowUnicode: false):
                reference = new ChannelReference(ChannelReferenceKind.Username, Lower(name));
                return true;
            case "c" when IsLegacyName(name, allowUnicode: true):
                reference = new ChannelReference(ChannelReferenceKind.CustomUrl, Lower(name));
                return true;
            default:
                return false;
        }
    }

    private static bool TryHandle(string handle, [NotNullWhen(true)] out ChannelReference? reference)
    {
        reference = null;
        handle = handle.Normalize(NormalizationForm.FormC);
        if (handle.Length is < 3 or > 30 || !handle.All(IsHandleCharacter) || !char.IsLetterOrDigit(handle[0]))
        {
            return false;
        }

        reference = new ChannelReference(ChannelReferenceKind.Handle, Lower(handle));
        return true;
    }

    /// <summary>Letters of any script, digits, and the three marks YouTube allows; nothing that needs escaping in a URL
    /// path but the letters themselves.</summary>
    private static bool IsHandleCharacter(char c) => c is '_' or '-' or '.'
        || char.IsAsciiLetterOrDigit(c)
        || c > 127 && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber;

    private static bool IsLegacyName(string name, bool allowUnicode) =>
        name.Length is >= 1 and <= 100
        && name.All(c => c is '_' or '-' or '.' || char.IsAsciiLetterOrDigit(c) || allowUnicode && c > 127 && IsHandleCharacter(c));

    private static bool TryUnescape(string segment, out string value)
    {
        try
        {
            value = Uri.UnescapeDataString(segment).Normalize(NormalizationForm.FormC);
            return true;
        }
        catch (ArgumentException)
        {
            value = ""; // an invalid escape leaves text that cannot be normalised
            return false;
        }
    }

    private static string Lower(string value) => value.ToLowerInvariant();

    public override string ToString() => Key;
}
