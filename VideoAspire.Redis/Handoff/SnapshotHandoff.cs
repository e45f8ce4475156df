using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VideoAspire.Telemetry;

namespace VideoAspire.Redis.Handoff;

/// <summary>
/// The durable hand-off from the Api to the Worker: a Redis Stream read through a consumer group.
/// An entry stays in the stream (and in the group's pending list once read) until a Worker has persisted it and
/// acknowledged it, so a Worker that is down, restarts or dies mid-batch loses nothing.
/// </summary>
public sealed class SnapshotHandoff
{
    private readonly IConnectionMultiplexer redis;
    private readonly TimeProvider timeProvider;

    public SnapshotHandoff([FromKeyedServices(ResourceNames.Queue)] IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        this.redis = redis;
        this.timeProvider = timeProvider;
        // Export the counter from the start (at 0), so "increase(...) > 0" alerts have a series to watch.
        VideoAspireTelemetry.HandoffDeadLettered.Add(0);
    }

    // Redis Cluster: the dead letters and the delivery counts are written in one transaction with the stream, so their
    // hash tag is the stream's whole key: all three live in the stream's slot.
    public const string StreamKey = "videos:handoff";
    public const string ConsumerGroup = "persisters";

    /// <summary>Entries that can never be persisted, with the reason (see <see cref="DeadLetterAsync"/>).</summary>
    public const string DeadLetterKey = "{videos:handoff}:dead";

    /// <summary>Attempts per entry still in the hand-off (so "at most N deliveries" survives a Worker restart).</summary>
    public const string DeliveriesKey = "{videos:handoff}:deliveries";

    /// <summary>The dead letters kept (approximately): plenty for an operator, bounded whatever goes wrong.</summary>
    private const int DeadLetterMaxLength = 100_000;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Appends a snapshot; throws when Redis cannot take it (the caller then persists another way).</summary>
    public async Task<string> PublishAsync(ChannelSnapshot snapshot)
    {
        NameValueEntry[] fields =
        [
            new("snapshot", Serialize(snapshot)),
            new("published", timeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
            new("traceparent", Activity.Current?.Id ?? ""),
        ];
        return (await Database.StreamAddAsync(StreamKey, fields))!;
    }

    /// <summary>
    /// Creates the consumer group (and the stream) unless it exists. Called before every poll, since Redis may have
    /// restarted empty; the "already exists" error reply stays inside Redis (pcall) rather than becoming an exception
    /// per poll in every Worker.
    /// </summary>
    public async Task EnsureConsumerGroupAsync()
    {
        await Database.ScriptEvaluateAsync(
            "local created = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM') " +
            "if type(created) == 'table' and created.err and string.sub(created.err, 1, 9) ~= 'BUSYGROUP' then return created end " +
            "return 1",
            [StreamKey], [ConsumerGroup]);
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

    /// <summary>
    /// Removes the group's consumers that hold no entries and have not read for longer than <paramref name="idle"/>:
    /// replicas that went away (a replaced pod has a new name). Checked and removed in one script, because removing a
    /// consumer drops the entries it holds: none can be taken between the check and the removal.
    /// </summary>
    public async Task<int> RemoveGoneConsumersAsync(string self, TimeSpan idle) =>
        (int)await Database.ScriptEvaluateAsync("""
            local removed = 0
            for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
              local field = {}
              for i = 1, #consumer, 2 do field[consumer[i]] = consumer[i + 1] end
              if field['name'] ~= ARGV[3] and tonumber(field['pending']) == 0 and tonumber(field['idle']) > tonumber(ARGV[2]) then
                redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], field['name'])
                removed = removed + 1
              end
            end
            return removed
            """, [StreamKey], [ConsumerGroup, (long)idle.TotalMilliseconds, self]);

    /// <summary>Acknowledges and deletes persisted entries, so the stream holds only work still to do.</summary>
    public async Task CompleteAsync(string messageId)
    {
        var transaction = Database.CreateTransaction();
        _ = transaction.StreamAcknowledgeAsync(StreamKey, ConsumerGroup, messageId);
        _ = transaction.StreamDeleteAsync(StreamKey, [messageId]);
        _ = transaction.HashDeleteAsync(DeliveriesKey, messageId);
        await transaction.ExecuteAsync();
    }

    /// <summary>Counts one more attempt at an entry; returns how many there have been (kept across restarts).</summary>
    public async Task<long> CountDeliveryAsync(string messageId) =>
        await Database.HashIncrementAsync(DeliveriesKey, messageId);

    /// <summary>
    /// Moves an entry that can never be persisted to the dead-letter stream, with the reason, atomically with its
    /// removal from the hand-off: kept for an operator to inspect and replay, never blocking the entries behind it.
    /// Only while the entry is still pending: two Workers holding it at once (one claimed it from the other, which was
    /// slow, not dead) move it once.
    /// </summary>
    public async Task DeadLetterAsync(HandoffMessage message, string reason)
    {
        var fields = DeadLetterFields(message.Fields, reason, message.Id)
            .SelectMany(field => new[] { field.Name, field.Value }).ToArray();
        var moved = (long)await Database.ScriptEvaluateAsync("""
            if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
              return 0
            end
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
            redis.call('XDEL', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[3], ARGV[2])
            return 1
            """, [StreamKey, DeadLetterKey, DeliveriesKey], [ConsumerGroup, message.Id, DeadLetterMaxLength, .. fields]);
        if (moved == 1)
        {
            VideoAspireTelemetry.HandoffDeadLettered.Add(1);
        }
    }

    /// <summary>The same for a snapshot that never was in the stream (the Api's in-process fallback); throws when Redis cannot take it.</summary>
    public async Task DeadLetterAsync(ChannelSnapshot snapshot, string reason)
    {
        NameValueEntry[] original = [new("snapshot", Serialize(snapshot)), new("published", timeProvider.GetUtcNow().ToUnixTimeMilliseconds())];
        await Database.StreamAddAsync(DeadLetterKey, DeadLetterFields(original, reason, from: "in-process"),
            maxLength: DeadLetterMaxLength, useApproximateMaxLength: true);
        VideoAspireTelemetry.HandoffDeadLettered.Add(1);
    }

    public static string Serialize(ChannelSnapshot snapshot) => JsonSerializer.Serialize(snapshot, HandoffJsonContext.Default.ChannelSnapshot);

    private NameValueEntry[] DeadLetterFields(NameValueEntry[] original, string reason, string from) =>
    [
        .. original,
        new("dead_lettered_from", from),
        new("reason", reason.Length <= 1000 ? reason : reason[..1000]),
        new("dead_lettered_at", timeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
    ];

    private static List<HandoffMessage> Parse(StreamEntry[] entries) =>
        entries.Where(e => !e.IsNull).Select(e =>
        {
            var (snapshot, problem) = e["snapshot"].IsNullOrEmpty ? (null, "no snapshot field") : Read(e["snapshot"]!);
            return new HandoffMessage(
                e.Id!,
                snapshot,
                problem,
                e["published"].TryParse(out long published) ? DateTimeOffset.FromUnixTimeMilliseconds(published) : DateTimeOffset.UtcNow,
                e["traceparent"].IsNullOrEmpty ? null : (string?)e["traceparent"],
                e.Values);
        }).ToList();

    /// <summary>The snapshot, or why the entry can never be persisted. Every field is checked: JSON that parses is not
    /// yet a snapshot (<c>{}</c> or <c>null</c> among the videos would fail much later, inside the write).</summary>
    internal static (ChannelSnapshot? Snapshot, string? Problem) Read(string json)
    {
        ChannelSnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize(json, HandoffJsonContext.Default.ChannelSnapshot);
        }
        catch (JsonException ex)
        {
            return (null, $"not a snapshot: {ex.Message}");
        }

        var problem = snapshot switch
        {
            null => "null snapshot",
            { ChannelId: var id } when !ChannelId.IsValid(id) => "invalid channel id",
            { Videos: null } => "no videos field",
            { Source: null or "" } => "no source",
            { FetchedAt: var at } when at == default => "no fetch time",
            _ => snapshot.Videos.Select((video, index) => video switch
            {
                null => $"video {index} is null",
                { VideoId: null or "" } => $"video {index} has no id",
                { Title: null } => $"video {index} has no title",
                { PublishedAt: var at } when at == default => $"video {index} has no publish time",
                _ => null,
            }).FirstOrDefault(p => p is not null),
        };
        return problem is null ? (snapshot, null) : (null, problem);
    }
}
