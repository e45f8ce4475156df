namespace VideoAspire.Data;

public sealed class Video
{
    /// <summary>YouTube video id, 11 characters.</summary>
    public required string VideoId { get; set; }

    public required string ChannelId { get; set; }

    public required string Title { get; set; }

    /// <summary>Full publish instant (timestamptz); ordering is by this, never by date alone.</summary>
    public DateTimeOffset PublishedAt { get; set; }

    /// <summary>Long-form, Short or live stream, once a kind playlist listed the video; null until then.</summary>
    public VideoKind? Kind { get; set; }

    /// <summary>When what this row says was true at its source (YouTube's fetch, or the Api write): older writes lose.</summary>
    public DateTimeOffset SourceTime { get; set; }

    public Channel? Channel { get; set; }
}
