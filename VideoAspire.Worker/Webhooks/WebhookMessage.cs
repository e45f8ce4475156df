using System.Text.Json;
using System.Text.Json.Serialization;
using StandardWebhooks;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// A claimed message, with what its attempt needs: the endpoint, the secrets, and the event (or the challenge).
/// <see cref="Body"/> and <see cref="Signature"/> are the Standard Webhooks wire format.
/// </summary>
public sealed record WebhookMessage(
    long Id,
    Guid SubscriptionId,
    string Owner,
    string Url,
    string Secret,
    string? PreviousSecret,
    int Attempts,
    string? Challenge,
    long? EventId,
    string? EventType,
    string? ChannelId,
    string? VideoId,
    string? Title,
    DateTimeOffset? PublishedAt,
    string? Kind,
    DateTimeOffset? OccurredAt)
{
    public const string VerificationType = WebhookDelivery.VerificationType;

    public bool IsVerification => Challenge is not null;

    /// <summary>False when its event was pruned before it could be sent (nothing left to say).</summary>
    public bool HasContent => IsVerification || EventType is not null;

    public string MessageId => WebhookDelivery.MessageIdOf(Id);

    public string Type => IsVerification ? VerificationType : EventType!;

    /// <summary><c>{ "type", "timestamp", "data" }</c>: the video as a read answers it (<see cref="LatestVideo"/>), or the challenge.</summary>
    public string Body(DateTimeOffset now)
    {
        if (IsVerification)
        {
            return JsonSerializer.Serialize(new VerificationBody(Type, now, new(Challenge!)), WebhookJsonContext.Default.VerificationBody);
        }

        var video = LatestVideo.Create(VideoId!, Title!, PublishedAt!.Value);
        return JsonSerializer.Serialize(new EventBody(Type, OccurredAt!.Value,
            new(ChannelId!, video.VideoId, video.VideoTitle, video.UploadDate, video.PublishedAt, Kind)), WebhookJsonContext.Default.EventBody);
    }

    /// <summary>
    /// <c>v1,…</c> with the current secret, and with the previous one too while its grace lasts (Standard Webhooks: a
    /// receiver accepts any signature it can verify), so that a receiver may switch secrets at any time in the grace.
    /// </summary>
    public string Signature(string body, DateTimeOffset timestamp)
    {
        var current = new StandardWebhook(Secret).Sign(MessageId, timestamp, body);
        return PreviousSecret is null ? current : current + " " + new StandardWebhook(PreviousSecret).Sign(MessageId, timestamp, body);
    }

    /// <summary>Whether an endpoint's answer echoes the challenge: the challenge itself, or <c>{"challenge": "…"}</c>.</summary>
    public bool IsEchoed(string answer)
    {
        var text = answer.Trim();
        if (text == Challenge)
        {
            return true;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == JsonValueKind.Object
                   && json.RootElement.TryGetProperty("challenge", out var echoed)
                   && echoed.ValueKind == JsonValueKind.String && echoed.GetString() == Challenge;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public sealed record EventBody(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
        [property: JsonPropertyName("data")] VideoData Data);

    public sealed record VideoData(
        [property: JsonPropertyName("channel_id")] string ChannelId,
        [property: JsonPropertyName("video_id")] string VideoId,
        [property: JsonPropertyName("video_title")] string VideoTitle,
        [property: JsonPropertyName("upload_date")] string UploadDate,
        [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt,
        [property: JsonPropertyName("kind")] string? Kind);

    public sealed record VerificationBody(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
        [property: JsonPropertyName("data")] ChallengeData Data);

    public sealed record ChallengeData([property: JsonPropertyName("challenge")] string Challenge);
}
