namespace VideoAspire.Catalog.Caching;

/// <summary>The Redis key and output-cache tag formats, defined once for the Api and the Worker.</summary>
public static class CacheKeys
{
    public static string LatestVideos(string channelId) => $"videos:latest:{channelId}";

    /// <summary>Output-cache tag carried by every cached response about the channel.</summary>
    public static string ChannelTag(string channelId) => $"channel:{channelId}";
}
