using VideoAspire.Catalog;

namespace VideoAspire.Api.Videos;

/// <summary>The answer of the read path for one channel.</summary>
public abstract record VideosLookup
{
    private VideosLookup()
    {
    }

    public sealed record Found(IReadOnlyList<LatestVideo> Videos) : VideosLookup;

    public sealed record NotFound : VideosLookup;

    public sealed record Unavailable(string Reason) : VideosLookup;
}
