using System.Security.Claims;

namespace VideoAspire.Api.Security;

/// <summary>OAuth 2.0 scopes the Api understands, and the authorization policies built on them.</summary>
public static class Scopes
{
    public const string VideosRead = "videos:read";

    /// <summary>Writes; implies <see cref="VideosRead"/>.</summary>
    public const string VideosWrite = "videos:write";

    /// <summary>Webhook subscriptions: a caller's own, and only those.</summary>
    public const string VideosSubscribe = "videos:subscribe";

    /// <summary>Scraping /metrics.</summary>
    public const string MetricsRead = "metrics:read";

    public const string ReadPolicy = "videos.read";
    public const string WritePolicy = "videos.write";
    public const string MetricsPolicy = "metrics.read";
    public const string SubscribePolicy = "videos.subscribe";

    /// <summary>
    /// True when the token grants the scope, read from a space-separated <c>scope</c> claim (RFC 8693, what
    /// <c>dotnet user-jwts --scope</c> writes) or from <c>scp</c> claims (Microsoft Entra ID).
    /// </summary>
    public static bool Has(ClaimsPrincipal user, string scope) =>
        user.FindAll(c => c.Type is "scope" or "scp")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);
}
