using StackExchange.Redis;

namespace VideoAspire.Redis.Caching;

/// <summary>The Redis key and output-cache tag formats, defined once for the Api and the Worker.</summary>
/// <remarks>
/// Redis Cluster: a channel's keys carry the channel id as their hash tag (<c>{UC…}</c>), so they share one slot and the
/// scripts and multi-key commands that touch several of them at once are legal there.
/// </remarks>
public static class CacheKeys
{
    /// <summary>The channel's latest-five entry of a kind (<see cref="VideoKind.All"/>: the key it always had).</summary>
    public static string LatestVideos(string channelId, VideoKind kind = VideoKind.All) => $"videos:{{{channelId}}}:latest" + Suffix(kind);

    /// <summary>Every latest-five entry of the channel, one per kind: a write drops them all.</summary>
    public static IEnumerable<RedisKey> AllLatestVideos(string channelId) =>
        Enum.GetValues<VideoKind>().Select(kind => (RedisKey)LatestVideos(channelId, kind));

    /// <summary>Every negative-cache mark of the channel, one per kind.</summary>
    public static IEnumerable<RedisKey> AllUnknownChannel(string channelId) =>
        Enum.GetValues<VideoKind>().Select(kind => (RedisKey)UnknownChannel(channelId, kind));

    private static string Suffix(VideoKind kind) => kind == VideoKind.All ? "" : ":" + kind.Name();

    /// <summary>Output-cache tag carried by every cached response about the channel.</summary>
    public static string ChannelTag(string channelId) => $"channel:{channelId}";

    /// <summary>Pub/sub channel on which every output-cache tag eviction is announced to the Api instances' memory level.</summary>
    public static readonly RedisChannel OutputCacheEvictions = RedisChannel.Literal("videoaspire:output-cache:evictions");

    /// <summary>Marks a channel YouTube said does not exist (negative cache).</summary>
    public static string UnknownChannel(string channelId, VideoKind kind = VideoKind.All) => $"videos:{{{channelId}}}:unknown" + Suffix(kind);

    /// <summary>Set for an hour after a channel is deleted, so an in-flight fetch cannot write it back into the cache.</summary>
    public static string DeletedChannel(string channelId) => $"videos:{{{channelId}}}:deleted";

    /// <summary>The channel's write version: counted up by every write, and living <see cref="CacheOptions.ReadYourWritesWindow"/>
    /// after the last one. While it exists, read the channel from the primary.</summary>
    public static string RecentlyWritten(string channelId) => $"videos:{{{channelId}}}:written";

    /// <summary>Held by the one Api instance fetching a cold channel (or one kind of it) from YouTube.</summary>
    public static string FetchLock(string channelId, VideoKind kind = VideoKind.All) => $"videos:{{{channelId}}}:fetching" + Suffix(kind);

    /// <summary>Which channel a handle, username or custom URL names (<see cref="ChannelReference.Key"/>), as last resolved.</summary>
    public static string Resolution(string referenceKey) => $"videos:{{ref:{referenceKey}}}:channel";

    /// <summary>Held by the one Api instance asking YouTube which channel a reference names.</summary>
    public static string ResolutionLock(string referenceKey) => $"videos:{{ref:{referenceKey}}}:resolving";
}
