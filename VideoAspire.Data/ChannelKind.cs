namespace VideoAspire.Data;

/// <summary>
/// A kind playlist of the channel that was read (<c>channel_kinds</c>): the channel's newest videos of that kind are
/// stored as of <see cref="FetchedAt"/>. Removed when the channel gains a video of unknown kind (a new upload seen by a
/// refresh or a push), so the next read of the kind asks YouTube again: kinds cost quota only when asked for.
/// </summary>
public sealed class ChannelKind
{
    public required string ChannelId { get; set; }

    public VideoKind Kind { get; set; }

    public DateTimeOffset FetchedAt { get; set; }

    public Channel? Channel { get; set; }
}
