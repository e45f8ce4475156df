using System.Text;
using VideoAspire.Api.Channels;

namespace VideoAspire.Api.Resolution;

/// <summary>
/// The <c>Resolved-Channels</c> response header: which channel id each handle or URL of the read resolved to, as
/// <c>key=UC…</c> pairs separated by commas (<c>@mkbhd=UCBJycsmduvYEL83R_U4JriQ</c>). Keys are percent-encoded outside
/// ASCII letters, digits and <c>@ . _ - /</c> (header values are ASCII). Absent when the read named ids only.
/// </summary>
public static class ResolvedChannels
{
    public const string HeaderName = "Resolved-Channels";

    public static void Write(HttpContext context, IEnumerable<(RequestedChannel Requested, string ChannelId)> resolved)
    {
        var value = string.Join(", ", resolved.Where(pair => !pair.Requested.IsId).Select(pair => $"{Encode(pair.Requested.Key)}={pair.ChannelId}"));
        if (value.Length > 0)
        {
            context.Response.Headers[HeaderName] = value;
        }
    }

    /// <summary>The key as it appears in the header (a client decodes it with any URL-decoding function).</summary>
    public static string Encode(string key)
    {
        var encoded = new StringBuilder(key.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in key.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || "@._-/".Contains((char)rune.Value)))
            {
                encoded.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
