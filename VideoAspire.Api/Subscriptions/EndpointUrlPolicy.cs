using Microsoft.Extensions.Options;
using VideoAspire.Data.Webhooks;
using VideoAspire.Outbound;

namespace VideoAspire.Api.Subscriptions;

/// <summary>
/// Whether a URL may be a webhook endpoint: absolute, https (http too in Development or with
/// <c>Notifications:AllowHttp</c>), no credentials, and resolving only to public addresses or the allow-list. The Worker
/// checks the address again at every connection (DNS can change); this refuses what is wrong from the start.
/// </summary>
public sealed class EndpointUrlPolicy(IOptions<NotificationOptions> options, IHostEnvironment environment)
{
    public const int MaxLength = 2048;

    private readonly OutboundGuard _guard = new(options.Value.ParsedAllowedNetworks());
    private readonly bool _requireHttps = !environment.IsDevelopment() && !options.Value.AllowHttp;

    /// <summary>Why the URL cannot be an endpoint, or null when it can.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (url.Length > MaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"The URL must be absolute and at most {MaxLength} characters.";
        }

        return uri.Fragment.Length > 0 ? "The URL must not carry a fragment." : await _guard.CheckAsync(uri, _requireHttps, cancellationToken);
    }
}
