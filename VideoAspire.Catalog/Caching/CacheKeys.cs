using StackExchange.Redis;

namespace VideoAspire.Catalog.Caching;

/// <summary>The Redis key and output-cache tag formats, defined once for the Api and the Worker.</summary>
/// <remarks>
/// Redis Cluster: a channel's keys carry the channel id as their hash tag (<c>{UC…}</c>), so they share one slot and the
/// scripts and multi-key commands that touch several of them at once are legal there.
/// </remarks>
public static class CacheKeys
{
    public static string LatestVideos(string channelId) => $"videos:{{{channelId}}}:latest";

    /// <summary>Output-cache tag carried by every cached response about the channel.</summary>
    public static string ChannelTag(string channelId) => $"channel:{channelId}";

    /// <summary>Pub/sub channel on which every output-cache tag eviction is announced to the Api instances' memory level.</summary>
    public static readonly RedisChannel OutputCacheEvictions = RedisChannel.Literal("videoaspire:output-cache:evictions");

    /// <summary>Marks a channel YouTube said does not exist (negative cache).</summary>
    public static string UnknownChannel(string channelId) => $"videos:{{{channelId}}}:unknown";

    /// <summary>Set for an hour after a channel is deleted, so an in-flight fetch cannot write it back into the cache.</summary>
    public static string DeletedChannel(string channelId) => $"videos:{{{channelId}}}:deleted";

    /// <summary>Set by every write for <see cref="CacheOptions.ReadYourWritesWindow"/>: read the channel from the primary.</summary>
    public static string RecentlyWritten(string channelId) => $"videos:{{{channelId}}}:written";

    /// <summary>Held by the one Api instance fetching a cold channel from YouTube.</summary>
    public static string FetchLock(string channelId) => $"videos:{{{channelId}}}:fetching";
}
