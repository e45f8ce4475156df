namespace VideoAspire.Domain;

/// <summary>What a source knows of a channel at one moment: the unit handed to the Worker for persistence.</summary>
/// <param name="RemovedVideoIds">Videos the source says were deleted (a WebSub deletion).</param>
/// <param name="Playlists">The playlists read for this snapshot: null is the uploads playlist alone (every snapshot
/// before kinds existed); a specific kind's newest videos are known only if its kind is listed.</param>
public sealed record ChannelSnapshot(
    string ChannelId,
    string? Title,
    IReadOnlyList<FetchedVideo> Videos,
    string Source,
    DateTimeOffset FetchedAt,
    IReadOnlyList<string>? RemovedVideoIds = null,
    IReadOnlyList<VideoKind>? Playlists = null)
{
    /// <summary>Pushed by YouTube's WebSub hub: one item of a channel, not a fetch of its uploads.</summary>
    public const string WebSubSource = "websub";

    public bool IsPushed => Source == WebSubSource;

    /// <summary>A fetch of the channel's uploads playlist (not only of a kind playlist, nor a push): a refresh of the channel.</summary>
    public bool IncludesUploads => !IsPushed && (Playlists is null || Playlists.Contains(VideoKind.All));

    /// <summary>The kind playlists read (never <see cref="VideoKind.All"/>): their newest videos are known as of <see cref="FetchedAt"/>.</summary>
    public IEnumerable<VideoKind> KindPlaylists => Playlists?.Where(kind => kind != VideoKind.All) ?? [];

    /// <summary>The channel's newest videos of a kind by full publish instant; ties broken by id so the order is stable.</summary>
    public IReadOnlyList<LatestVideo> Latest(VideoKind kind = VideoKind.All) => Videos
        .Where(v => kind == VideoKind.All || v.Kind == kind)
        .OrderByDescending(v => v.PublishedAt)
        .ThenByDescending(v => v.VideoId, StringComparer.Ordinal)
        .Take(LatestVideo.Count)
        .Select(v => LatestVideo.Create(v.VideoId, v.Title, v.PublishedAt))
        .ToList();
}
