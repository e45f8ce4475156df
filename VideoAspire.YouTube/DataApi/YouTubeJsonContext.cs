using System.Text.Json.Serialization;

namespace VideoAspire.YouTube.DataApi;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChannelListResponse))]
[JsonSerializable(typeof(PlaylistItemListResponse))]
[JsonSerializable(typeof(ApiErrorResponse))]
internal sealed partial class YouTubeJsonContext : JsonSerializerContext;
