using System.Diagnostics;
using System.Text.Json;
using StackExchange.Redis;
using VideoAspire.Catalog.YouTube;

namespace VideoAspire.Catalog.Handoff;

/// <summary>
/// The durable hand-off from the Api to the Worker: a Redis Stream read through a consumer group.
/// An entry stays in the stream (and in the group's pending list once read) until a Worker has persisted it and
/// acknowledged it, so a Worker that is down, restarts or dies mid-batch loses nothing.
/// </summary>
public sealed class SnapshotHandoff(IConnectionMultiplexer redis, TimeProvider timeProvider)
{
    public const string StreamKey = "videos:handoff";
    public const string ConsumerGroup = "persisters";

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Appends a snapshot; throws when Redis cannot take it (the caller then persists another way).</summary>
    public async Task<string> PublishAsync(ChannelSnapshot snapshot)
    {
        NameValueEntry[] fields =
        [
            new("snapshot", JsonSerializer.Serialize(snapshot, HandoffJsonContext.Default.ChannelSnapshot)),
            new("published", timeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
            new("traceparent", Activity.Current?.Id ?? ""),
        ];
        return (await Database.StreamAddAsync(StreamKey, fields))!;
    }

    public async Task EnsureConsumerGroupAsync()
    {
        try
        {
            await Database.StreamCreateConsumerGroupAsync(StreamKey, ConsumerGroup, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Already there.
        }
    }

    /// <summary>Entries this consumer read earlier but never acknowledged (it stopped mid-batch).</summary>
    public async Task<IReadOnlyList<HandoffMessage>> ReadOwnPendingAsync(string consumer, int count) =>
        Parse(await Database.StreamReadGroupAsync(StreamKey, ConsumerGroup, consumer, "0", count));

    /// <summary>Entries another consumer read and left unacknowledged for longer than <paramref name="minIdle"/> (it died).</summary>
    public async Task<IReadOnlyList<HandoffMessage>> ClaimAbandonedAsync(string consumer, TimeSpan minIdle, int count)
    {
        var claimed = await Database.StreamAutoClaimAsync(StreamKey, ConsumerGroup, consumer, (long)minIdle.TotalMilliseconds, "0-0", count);
        return Parse(claimed.ClaimedEntries);
    }

    public async Task<IReadOnlyList<HandoffMessage>> ReadNewAsync(string consumer, int count) =>
        Parse(await Database.StreamReadGroupAsync(StreamKey, ConsumerGroup, consumer, StreamPosition.NewMessages, count));

    /// <summary>Acknowledges and deletes persisted entries, so the stream holds only work still to do.</summary>
    public async Task CompleteAsync(string messageId)
    {
        await Database.StreamAcknowledgeAsync(StreamKey, ConsumerGroup, messageId);
        await Database.StreamDeleteAsync(StreamKey, [messageId]);
    }

    private static List<HandoffMessage> Parse(StreamEntry[] entries) =>
        entries.Where(e => !e.IsNull).Select(e => new HandoffMessage(
            e.Id!,
            e["snapshot"].IsNullOrEmpty ? null : TryDeserialize(e["snapshot"]!),
            e["published"].TryParse(out long published) ? DateTimeOffset.FromUnixTimeMilliseconds(published) : DateTimeOffset.UtcNow,
            e["traceparent"].IsNullOrEmpty ? null : (string?)e["traceparent"])).ToList();

    private static ChannelSnapshot? TryDeserialize(string json)
    {
        try
        {
            var snapshot = JsonSerializer.Deserialize(json, HandoffJsonContext.Default.ChannelSnapshot);
            return snapshot is { Videos: not null } && ChannelId.IsValid(snapshot.ChannelId) ? snapshot : null;
        }
        catch (JsonException)
        {
            return null; // a poison message: completed without persisting, logged by the consumer
        }
    }
}

/// <param name="Snapshot">Null when the entry could not be read (malformed).</param>
public sealed record HandoffMessage(string Id, ChannelSnapshot? Snapshot, DateTimeOffset PublishedAt, string? TraceParent);

[System.Text.Json.Serialization.JsonSerializable(typeof(ChannelSnapshot))]
internal sealed partial class HandoffJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
