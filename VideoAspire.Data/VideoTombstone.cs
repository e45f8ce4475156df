namespace VideoAspire.Data;

/// <summary>
/// A video YouTube said was deleted, and when: a snapshot from before that instant (a late notification, a fetch that
/// started earlier) does not bring it back. A later one does (a video made public again).
/// </summary>
public sealed class VideoTombstone
{
    public required string VideoId { get; set; }

    public required string ChannelId { get; set; }

    public DateTimeOffset DeletedAt { get; set; }
}
