namespace VideoAspire.Data;

/// <summary>A channel's newest videos (empty unless <see cref="ChannelState.Stored"/>).</summary>
public readonly record struct StoredChannel(ChannelState State, IReadOnlyList<LatestVideo> Videos)
{
    /// <summary>
    /// For a specific kind: its playlist was read since the channel's last new upload, so <see cref="Videos"/> is its
    /// answer. False: YouTube must be asked for the kind, and <see cref="Videos"/> is only what is known of it so far.
    /// (Always true for <see cref="VideoKind.All"/>: a stored channel's uploads are stored.)
    /// </summary>
    public bool KindFetched { get; init; } = true;

    /// <summary>Read from a read replica, which may lag behind the primary (and so behind a recent write).</summary>
    public bool FromReplica { get; init; }
}
