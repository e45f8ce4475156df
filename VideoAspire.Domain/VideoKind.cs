using System.Text.Json.Serialization;

namespace VideoAspire.Domain;

/// <summary>
/// Which of a channel's uploads a caller wants. YouTube keeps one playlist per kind next to the uploads playlist,
/// named after the channel id (<c>UC…</c> → <c>UU…</c> all, <c>UULF…</c> long-form, <c>UUSH…</c> Shorts, <c>UULV…</c>
/// live streams). The scheme is not documented: a kind playlist that does not exist means "none of that kind".
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<VideoKind>))]
public enum VideoKind
{
    [JsonStringEnumMemberName("all")] All,
    [JsonStringEnumMemberName("videos")] Videos,
    [JsonStringEnumMemberName("shorts")] Shorts,
    [JsonStringEnumMemberName("live")] Live,
}
