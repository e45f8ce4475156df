namespace VideoAspire.Data;

/// <summary>The outcome of a write.</summary>
public abstract record ChannelWrite
{
    private ChannelWrite()
    {
    }

    /// <param name="ChangedRows">Videos inserted or changed (not rows that were only confirmed).</param>
    /// <param name="Created">The channel row did not exist before.</param>
    public sealed record Applied(int ChangedRows, bool Created) : ChannelWrite;

    /// <summary>The channel was deleted and this write may not bring it back.</summary>
    public sealed record ChannelDeleted : ChannelWrite;

    /// <summary>An Api write named videos that belong to another channel: nothing was written.</summary>
    public sealed record VideosOfAnotherChannel(IReadOnlyList<string> VideoIds) : ChannelWrite;
}
