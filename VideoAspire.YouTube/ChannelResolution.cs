namespace VideoAspire.YouTube;

/// <summary>The outcome of asking YouTube which channel a handle, username or custom URL names.</summary>
public abstract record ChannelResolution
{
    private ChannelResolution()
    {
    }

    /// <param name="Handle">The channel's handle (<c>@name</c>) when the source says it.</param>
    public sealed record Found(string ChannelId, string? Handle, string? Title, string Source) : ChannelResolution;

    /// <summary>YouTube says no channel goes by that name.</summary>
    public sealed record NotFound(string Source) : ChannelResolution;

    /// <summary>No source could answer (timeouts, 5xx, quota, a redirect to another host).</summary>
    public sealed record Unavailable(string Reason) : ChannelResolution;
}
