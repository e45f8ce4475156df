using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VideoAspire.YouTube;

/// <summary>
/// The keyless way to tell which channel a handle, username or custom URL names: the channel page
/// (<c>https://www.youtube.com/@name</c>), whose head carries <c>&lt;link rel="canonical" href=".../channel/UC…"&gt;</c>.
/// The page is read only as far as that link and never past <see cref="YouTubeOptions.ChannelPageMaxBytes"/>; a redirect
/// is followed only on the same host (one to a consent page elsewhere means this source cannot answer).
/// </summary>
/// <remarks>Hand-written scanning rather than an HTML parser: one link in the head is all it needs, and a parser would
/// read the whole ~1 MB page.</remarks>
public sealed partial class ChannelPageClient(HttpClient http, IOptions<YouTubeOptions> options, ILogger<ChannelPageClient> logger)
{
    public const string SourceName = "page";

    private const int MaxRedirects = 2;

    /// <summary>How much of what was read before each new chunk is scanned again: a link split across two chunks.</summary>
    private const int Overlap = 1024;

    public async Task<(ChannelResolution? Result, string? Failure)> FindChannelAsync(ChannelReference reference, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.TotalTimeout);
        try
        {
            var target = new Uri(http.BaseAddress!, reference.PagePath);
            for (var redirects = 0; ; redirects++)
            {
                using var response = await http.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, budget.Token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return (new ChannelResolution.NotFound(SourceName), null);
                }

                if ((int)response.StatusCode is >= 300 and < 400)
                {
                    var location = response.Headers.Location is { } next ? new Uri(target, next) : null;
                    if (location is null || redirects >= MaxRedirects
                        || !string.Equals(location.Authority, http.BaseAddress!.Authority, StringComparison.OrdinalIgnoreCase))
                    {
                        LogRedirected(reference.Key, location?.Host ?? "(none)");
                        return (null, "redirected to another host");
                    }

                    target = location;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    LogPageError(reference.Key, (int)response.StatusCode);
                    return (null, $"HTTP {(int)response.StatusCode}");
                }

                await using var page = await response.Content.ReadAsStreamAsync(budget.Token);
                return await ScanAsync(page, options.Value.ChannelPageMaxBytes, budget.Token) is { } found
                    ? (found, null)
                    : (null, "no canonical channel link in the page");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.ExecutionRejectedException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPageUnreachable(ex);
            return (null, "unreachable");
        }
    }

    /// <summary>Reads chunk by chunk until the canonical link (or the page's <c>externalId</c>) shows, or the cap.</summary>
    internal static async Task<ChannelResolution.Found?> ScanAsync(Stream page, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(maxBytes, 64 * 1024)];
        var text = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        string? title = null;
        for (var total = 0; total < maxBytes;)
        {
            var read = await page.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxBytes - total)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
            var count = decoder.GetChars(buffer, 0, read, chars, 0);
            var scanFrom = Math.Max(0, text.Length - Overlap);
            text.Append(chars, 0, count);
            var window = text.ToString(scanFrom, text.Length - scanFrom);
            title ??= TitlePattern().Match(window) is { Success: true } t ? WebUtility.HtmlDecode(t.Groups["title"].Value).Trim() : null;
            if (CanonicalPattern().Match(window) is { Success: true } canonical)
            {
                return new ChannelResolution.Found(canonical.Groups["id"].Value, null, title, SourceName);
            }

            if (ExternalIdPattern().Match(window) is { Success: true } external)
            {
                return new ChannelResolution.Found(external.Groups["id"].Value, null, title, SourceName);
            }

            // Only the tail is scanned again: keep the text from growing with the page.
            if (text.Length > 4 * Overlap)
            {
                text.Remove(0, text.Length - Overlap);
            }
        }

        return null;
    }

    [GeneratedRegex("""<link\s+rel=["']canonical["']\s+href=["']https?://(?:www\.|m\.)?youtube\.com/channel/(?<id>UC[A-Za-z0-9_-]{22})["']""",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CanonicalPattern();

    [GeneratedRegex("""["']externalId["']\s*:\s*["'](?<id>UC[A-Za-z0-9_-]{22})["']""", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex("""<meta\s+(?:property=["']og:title["']|name=["']title["'])\s+content=["'](?<title>[^"'<>]{1,200})["']""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TitlePattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The channel page of {Reference} redirected to {Host}: not followed")]
    private partial void LogRedirected(string reference, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The channel page of {Reference} answered {StatusCode}")]
    private partial void LogPageError(string reference, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube channel pages unreachable")]
    private partial void LogPageUnreachable(Exception exception);
}
