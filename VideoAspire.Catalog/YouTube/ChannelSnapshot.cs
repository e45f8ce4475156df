namespace VideoAspire.Catalog.YouTube;

/// <summary>One video as an upstream source reported it.</summary>
public sealed record FetchedVideo(string VideoId, string Title, DateTimeOffset PublishedAt);

/// <summary>What a source knows of a channel at one moment: the unit handed to the Worker for persistence.</summary>
/// <param name="RemovedVideoIds">Videos the source says were deleted (a WebSub deletion).</param>
public sealed record ChannelSnapshot(
    string ChannelId,
    string? Title,
    IReadOnlyList<FetchedVideo> Videos,
    string Source,
    DateTimeOffset FetchedAt,
    IReadOnlyList<string>? RemovedVideoIds = null)
{
    /// <summary>Pushed by YouTube's WebSub hub: one item of a channel, not a fetch of its uploads.</summary>
    public const string WebSubSource = "websub";

    public bool IsPushed => Source == WebSubSource;

    /// <summary>The channel's newest videos by full publish instant; ties broken by id so the order is stable.</summary>
    public IReadOnlyList<LatestVideo> Latest() => Videos
        .OrderByDescending(v => v.PublishedAt)
        .ThenByDescending(v => v.VideoId, StringComparer.Ordinal)
        .Take(LatestVideo.Count)
        .Select(v => LatestVideo.Create(v.VideoId, v.Title, v.PublishedAt))
        .ToList();
}

/// <summary>The outcome of asking YouTube about a channel.</summary>
public abstract record FetchResult
{
    private FetchResult()
    {
    }

    public sealed record Found(ChannelSnapshot Snapshot) : FetchResult;

    /// <summary>YouTube says the channel does not exist.</summary>
    public sealed record NotFound(string Source) : FetchResult;

    /// <summary>No source could answer (timeouts, 5xx, quota or key problems on every source).</summary>
    public sealed record Unavailable(string Reason) : FetchResult;
}

/// <summary>Why a single source failed; decides whether the next source is tried.</summary>
public enum SourceFailure
{
    QuotaExceeded,
    KeyInvalid,
    Unavailable,
}
