using System.Diagnostics.CodeAnalysis;

namespace VideoAspire.Domain;

public static class VideoKinds
{
    private static readonly VideoKind[] Every = Enum.GetValues<VideoKind>();

    /// <summary>The values of the <c>kind</c> query parameter, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Names = [.. Every.Skip(1).Append(VideoKind.All).Select(Name)];

    /// <summary>Missing or empty is <see cref="VideoKind.All"/> (what callers got before kinds existed); case is ignored.</summary>
    public static bool TryParse(string? value, out VideoKind kind)
    {
        kind = VideoKind.All;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        foreach (var candidate in Every)
        {
            if (string.Equals(candidate.Name(), value, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        return false;
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
    public static string PlaylistId(this VideoKind kind, string channelId) => PlaylistPrefix(kind) + channelId[2..];

    /// <summary>The channel a kind playlist id of <see cref="PlaylistId"/> belongs to, and its kind.</summary>
    public static bool TryParsePlaylistId(string? playlistId, [NotNullWhen(true)] out string? channelId, out VideoKind kind)
    {
        foreach (var candidate in Every)
        {
            var prefix = PlaylistPrefix(candidate);
            if (playlistId is not null && playlistId.Length == prefix.Length + ChannelId.Length - 2
                && playlistId.StartsWith(prefix, StringComparison.Ordinal) && ChannelId.IsValid("UC" + playlistId[prefix.Length..]))
            {
                (channelId, kind) = ("UC" + playlistId[prefix.Length..], candidate);
                return true;
            }
        }

        (channelId, kind) = (null, VideoKind.All);
        return false;
    }

    private static string PlaylistPrefix(VideoKind kind) => kind switch
    {
        VideoKind.Videos => "UULF",
        VideoKind.Shorts => "UUSH",
        VideoKind.Live => "UULV",
        _ => "UU",
    };
}
