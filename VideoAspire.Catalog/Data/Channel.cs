namespace VideoAspire.Catalog.Data;

public sealed class Channel
{
    /// <summary>YouTube channel id, <c>UC</c> followed by 22 characters.</summary>
    public required string Id { get; set; }

    public string Title { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a caller last asked for this channel; written in batches, not per request.</summary>
    public DateTimeOffset? LastAccessedAt { get; set; }

    /// <summary>When the channel's videos were last fetched from YouTube.</summary>
    public DateTimeOffset? LastRefreshedAt { get; set; }

    public List<Video> Videos { get; set; } = [];
}
