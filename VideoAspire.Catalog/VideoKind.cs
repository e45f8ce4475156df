using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace VideoAspire.Catalog;

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

public static class VideoKinds
{
    /// <summary>The values of the <c>kind</c> query parameter, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Names = ["videos", "shorts", "live", "all"];

    /// <summary>The kinds that have a playlist of their own (a video has at most one of them).</summary>
    public static readonly IReadOnlyList<VideoKind> Specific = [VideoKind.Videos, VideoKind.Shorts, VideoKind.Live];

    /// <summary>Missing or empty is <see cref="VideoKind.All"/> (what callers got before kinds existed); case is ignored.</summary>
    public static bool TryParse(string? value, out VideoKind kind)
    {
        kind = VideoKind.All;
        switch (value?.ToLowerInvariant())
        {
            case null or "" or "all":
                return true;
            case "videos":
                kind = VideoKind.Videos;
                return true;
            case "shorts":
                kind = VideoKind.Shorts;
                return true;
            case "live":
                kind = VideoKind.Live;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The query and database spelling: <c>all</c>, <c>videos</c>, <c>shorts</c>, <c>live</c>.</summary>
    public static string Name(this VideoKind kind) => kind switch
    {
        VideoKind.Videos => "videos",
        VideoKind.Shorts => "shorts",
        VideoKind.Live => "live",
        _ => "all",
    };

    /// <summary>Null for anything but a specific kind's name (what the <c>videos.kind</c> column holds).</summary>
    public static VideoKind? FromStored(string? value) =>
        value is not null && TryParse(value, out var kind) && kind != VideoKind.All ? kind : null;

    /// <summary>YouTube's playlist of the channel's uploads of this kind.</summary>
    public static string PlaylistId(this VideoKind kind, string channelId) => kind switch
    {
        VideoKind.Videos => "UULF",
        VideoKind.Shorts => "UUSH",
        VideoKind.Live => "UULV",
        _ => "UU",
    } + channelId[2..];

    /// <summary>The channel a kind playlist id of <see cref="PlaylistId"/> belongs to, and its kind.</summary>
    public static bool TryParsePlaylistId(string? playlistId, [NotNullWhen(true)] out string? channelId, out VideoKind kind)
    {
        kind = VideoKind.All;
        channelId = null;
        var prefix = playlistId?.Length - (ChannelId.Length - 2);
        var candidate = prefix is 2 or 4 ? "UC" + playlistId![prefix.Value..] : null;
        if (!ChannelId.IsValid(candidate))
        {
            return false;
        }

        kind = playlistId![..prefix!.Value] switch
        {
            "UU" => VideoKind.All,
            "UULF" => VideoKind.Videos,
            "UUSH" => VideoKind.Shorts,
            "UULV" => VideoKind.Live,
            _ => (VideoKind)(-1),
        };
        channelId = candidate;
        return Enum.IsDefined(kind);
    }
}
