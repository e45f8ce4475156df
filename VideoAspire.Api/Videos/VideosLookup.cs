
namespace VideoAspire.Api.Videos;

/// <summary>The answer of the read path for one channel.</summary>
public abstract record VideosLookup
{
    private VideosLookup()
    {
    }

    /// <param name="StaleSince">Set when the answer is a stale cache entry served because PostgreSQL could not answer
    /// (stale-if-error): when it stopped being fresh.</param>
    public sealed record Found(IReadOnlyList<LatestVideo> Videos, DateTimeOffset? StaleSince = null) : VideosLookup;

    public sealed record NotFound : VideosLookup;

    /// <summary>Deleted through the Api: not found, and not fetched back from YouTube.</summary>
    public sealed record Deleted : VideosLookup;

    public sealed record Unavailable(string Reason) : VideosLookup;

    /// <summary>The caller has used up its allowance of lookups of channels we do not store.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : VideosLookup;

    /// <summary>YouTube has not answered within the request budget; the fetch goes on in the background.</summary>
    public sealed record Pending : VideosLookup;
}
