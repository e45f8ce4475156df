namespace VideoAspire.Api.Caching;

/// <summary>How a stale answer (served while PostgreSQL cannot answer) is marked, for callers and for the output cache.</summary>
public static class StaleAnswer
{
    /// <summary>RFC 9211.</summary>
    public const string HeaderName = "Cache-Status";

    private const string Prefix = "VideoAspire; hit; detail=stale-if-error; ttl=-";

    public static string HeaderValue(long secondsPastFresh) => Prefix + secondsPastFresh;

    public static bool IsStale(HttpResponse response) =>
        response.Headers.TryGetValue(HeaderName, out var value) && value.ToString().StartsWith(Prefix, StringComparison.Ordinal);
}
