namespace VideoAspire.Api.Resolution;

/// <summary>What asking for a handle's or URL's channel gave.</summary>
public abstract record ReferenceLookup
{
    private ReferenceLookup()
    {
    }

    public sealed record Found(string ChannelId, string? Handle, string? Title) : ReferenceLookup;

    /// <summary>YouTube knows no channel by that name (remembered like an unknown channel).</summary>
    public sealed record NotFound : ReferenceLookup;

    /// <summary>The caller has started too many lookups in the last minute (the cold-lookup allowance).</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : ReferenceLookup;

    /// <summary>No source could answer, and nothing was known before.</summary>
    public sealed record Unavailable(string Reason) : ReferenceLookup;
}
