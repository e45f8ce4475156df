namespace VideoAspire.Redis.Caching;

/// <summary>
/// A resolution as the caches keep it: the channel a reference names (none: YouTube knows no such name), the handle and
/// title when known, and when it stops being believed.
/// </summary>
public sealed record CachedResolution(string? ChannelId, string? Handle, string? Title, DateTimeOffset ExpiresAt)
{
    public bool Exists => ChannelId is not null;
}
