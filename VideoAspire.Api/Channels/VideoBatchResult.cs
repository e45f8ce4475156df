using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

/// <summary>What a bulk upsert did.</summary>
public sealed record VideoBatchResult(
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("received")] int Received,
    [property: JsonPropertyName("changed")] int Changed);
