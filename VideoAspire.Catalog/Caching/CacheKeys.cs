using StackExchange.Redis;

namespace VideoAspire.Catalog.Caching;

/// <summary>The Redis key and output-cache tag formats, defined once for the Api and the Worker.</summary>
public static class CacheKeys
{
    public static string LatestVideos(string channelId) => $"videos:latest:{channelId}";

    /// <summary>Output-cache tag carried by every cached response about the channel.</summary>
    public static string ChannelTag(string channelId) => $"channel:{channelId}";

    /// <summary>Pub/sub channel on which every output-cache tag eviction is announced to the Api instances' memory level.</summary>
    public static readonly RedisChannel OutputCacheEvictions = RedisChannel.Literal("videoaspire:output-cache:evictions");

    /// <summary>Marks a channel YouTube said does not exist (negative cache).</summary>
    public static string UnknownChannel(string channelId) => $"videos:unknown:{channelId}";

    /// <summary>Set for an hour after a channel is deleted, so an in-flight fetch cannot write it back into the cache.</summary>
    public static string DeletedChannel(string channelId) => $"videos:deleted:{channelId}";

    /// <summary>Held by the one Api instance fetching a cold channel from YouTube.</summary>
    public static string FetchLock(string channelId) => $"videos:fetching:{channelId}";

    /// <summary>Held by the one Worker replica running a scheduled job.</summary>
    public static string JobLock(string jobName) => $"videos:jobs:{jobName}";
}
