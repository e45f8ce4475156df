namespace VideoAspire.Data;

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

    /// <summary>
    /// Set by <c>DELETE /channels/{id}</c>: the channel is deleted. Snapshots from YouTube never bring the channel back (they may
    /// be older than the delete); only an explicit write through the Api does.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Source time of the newest write applied to the channel's own fields (its title): older writes lose.</summary>
    public DateTimeOffset? SourceTime { get; set; }

    /// <summary>Consecutive scheduled refreshes that failed or found the channel missing: backs off its next one.</summary>
    public int RefreshFailures { get; set; }

    public List<Video> Videos { get; set; } = [];

    public List<ChannelKind> Kinds { get; set; } = [];
}
