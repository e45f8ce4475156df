namespace VideoAspire.Redis.Caching;

/// <summary>
/// What an invalidation does to the channel's deletion mark in Redis (<c>videos:{id}:deleted</c>), which keeps fills that read the channel
/// before its delete from writing it back into the cache.
/// </summary>
public enum DeletionMark
{
    /// <summary>Leave it as it is (an eviction on request, or one retried without knowing what caused it).</summary>
    Keep,

    /// <summary>The channel was deleted.</summary>
    Set,

    /// <summary>A write was applied: the channel is live (again), its answers may be cached.</summary>
    Remove,
}
