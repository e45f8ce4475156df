namespace VideoAspire.Data;

/// <summary>
/// The transactional outbox (<c>video_events</c>): one row per change to a stored video, inserted by the same statement
/// as the change itself, so an event exists if and only if its change committed. <see cref="Id"/> orders events of one
/// channel; a video's <see cref="VideoEventType.Published"/> event exists at most once (a unique index), whichever
/// writes store it.
/// </summary>
public sealed class VideoEvent
{
    public long Id { get; set; }

    /// <summary>One of <see cref="VideoEventType"/>.</summary>
    public required string Type { get; set; }

    public required string ChannelId { get; set; }

    public required string VideoId { get; set; }

    /// <summary>The title (and below, the publish time and kind) the change left; for a deletion, what was deleted.</summary>
    public required string Title { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public VideoKind? Kind { get; set; }

    /// <summary>When the change committed's transaction ran (PostgreSQL's clock).</summary>
    public DateTimeOffset OccurredAt { get; set; }
}
