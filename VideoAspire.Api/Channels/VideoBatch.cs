using System.Text.Json.Serialization;

namespace VideoAspire.Api.Channels;

/// <summary>Body of <c>PUT /channels/{channelId}/videos</c>.</summary>
public sealed record VideoBatch([property: JsonPropertyName("videos")] List<VideoUpsert>? Videos);
