namespace VideoAspire.Domain.Ports;

/// <summary>
/// Whom a Data API call is spent for: a caller's cold lookup, counted against that caller's daily units and the callers'
/// share of the day, or the service's own scheduled refresh, which may also spend the share kept for it.
/// </summary>
/// <param name="CallerKey">The caller (its token subject or address), or null for the service.</param>
public readonly record struct QuotaPayer(string? CallerKey)
{
    public static QuotaPayer Service => default;

    public static QuotaPayer Caller(string callerKey) => new(callerKey);

    /// <summary>The <c>payer</c> tag of the quota metrics (never the caller itself: unbounded cardinality).</summary>
    public string Kind => CallerKey is null ? "service" : "caller";
}
