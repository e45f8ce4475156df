using StackExchange.Redis;

namespace VideoAspire.Redis.Handoff;

/// <param name="Snapshot">Null when the entry cannot be read; <paramref name="Problem"/> says why.</param>
/// <param name="Fields">The entry as stored, carried to the dead-letter stream unchanged.</param>
public sealed record HandoffMessage(
    string Id, ChannelSnapshot? Snapshot, string? Problem, DateTimeOffset PublishedAt, string? TraceParent, NameValueEntry[] Fields);
