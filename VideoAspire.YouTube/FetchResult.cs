namespace VideoAspire.YouTube;

/// <summary>The outcome of asking YouTube about a channel.</summary>
public abstract record FetchResult
{
    private FetchResult()
    {
    }

    public sealed record Found(ChannelSnapshot Snapshot) : FetchResult
    {
        /// <summary>A kind was asked for, and YouTube has no playlist of that kind for the channel (read as "none").</summary>
        public bool KindPlaylistMissing { get; init; }
    }

    /// <summary>YouTube says the channel does not exist.</summary>
    public sealed record NotFound(string Source) : FetchResult;

    /// <summary>No source could answer (timeouts, 5xx, quota or key problems on every source).</summary>
    public sealed record Unavailable(string Reason) : FetchResult;
}
