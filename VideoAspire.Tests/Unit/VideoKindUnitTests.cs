using VideoAspire.Redis.Handoff;
using VideoAspire.YouTube;

namespace VideoAspire.Tests.Unit;

/// <summary>The kind names, YouTube's per-kind playlist ids, and how a kind's videos join a channel's snapshot.</summary>
public sealed class VideoKindUnitTests
{
    private const string Channel = "UC0032Wkd3aCT4rRi1YOVc2d";
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, VideoKind.All)]
    [InlineData("", VideoKind.All)]
    [InlineData("all", VideoKind.All)]
    [InlineData("videos", VideoKind.Videos)]
    [InlineData("SHORTS", VideoKind.Shorts)]
    [InlineData("Live", VideoKind.Live)]
    public void Kind_names_are_read_without_regard_to_case(string? name, VideoKind expected)
    {
        Assert.True(VideoKinds.TryParse(name, out var kind));
        Assert.Equal(expected, kind);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("reels")]
    [InlineData("0")]
    [InlineData("videos,shorts")]
    [InlineData(" all")]
    public void Anything_else_is_not_a_kind(string name) => Assert.False(VideoKinds.TryParse(name, out _));

    [Theory]
    [InlineData(VideoKind.All, "UU0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData(VideoKind.Videos, "UULF0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData(VideoKind.Shorts, "UUSH0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData(VideoKind.Live, "UULV0032Wkd3aCT4rRi1YOVc2d")]
    public void Each_kind_has_its_playlist_next_to_the_uploads(VideoKind kind, string playlistId)
    {
        Assert.Equal(playlistId, kind.PlaylistId(Channel));
        Assert.True(VideoKinds.TryParsePlaylistId(playlistId, out var channelId, out var parsed));
        Assert.Equal((Channel, kind), (channelId, parsed));
    }

    [Theory]
    [InlineData("PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf")]
    [InlineData("UUXX0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("UU0032Wkd3aCT4rRi1YOVc2")]
    [InlineData("")]
    public void Other_playlists_are_not_kind_playlists(string playlistId) =>
        Assert.False(VideoKinds.TryParsePlaylistId(playlistId, out _, out _));

    [Fact]
    public void A_kind_playlist_marks_the_uploads_it_lists_and_adds_older_ones()
    {
        var uploads = new ChannelSnapshot(Channel, "Channel", [
            new FetchedVideo("longlonglon", "Long", Day.AddHours(3)),
            new FetchedVideo("shortshorts", "Short", Day.AddHours(2)),
        ], "data-api", Day);
        IReadOnlyList<FetchedVideo> longForm = [
            new FetchedVideo("longlonglon", "Long", Day.AddHours(3), VideoKind.Videos),
            new FetchedVideo("olderlongvi", "Older long", Day.AddDays(-40), VideoKind.Videos),
        ];

        var snapshot = YouTubeVideoSource.WithKind(Channel, uploads, VideoKind.Videos, longForm, "data-api", DateTimeOffset.UtcNow);

        Assert.Equal([VideoKind.All, VideoKind.Videos], snapshot.Playlists);
        Assert.True(snapshot.IncludesUploads);
        Assert.Equal([VideoKind.Videos], snapshot.KindPlaylists);
        Assert.Equal(["longlonglon", "shortshorts", "olderlongvi"], snapshot.Videos.Select(v => v.VideoId));
        Assert.Equal([VideoKind.Videos, null, VideoKind.Videos], snapshot.Videos.Select(v => v.Kind));
        Assert.Equal(["longlonglon", "olderlongvi"], snapshot.Latest(VideoKind.Videos).Select(v => v.VideoId));
        Assert.Equal(["longlonglon", "shortshorts", "olderlongvi"], snapshot.Latest().Select(v => v.VideoId));
        Assert.Empty(snapshot.Latest(VideoKind.Shorts));
    }

    [Fact]
    public void A_kind_playlist_alone_is_not_a_refresh_of_the_uploads()
    {
        var snapshot = YouTubeVideoSource.WithKind(Channel, uploads: null, VideoKind.Live, [], "feed", DateTimeOffset.UtcNow);

        Assert.False(snapshot.IncludesUploads);
        Assert.Equal([VideoKind.Live], snapshot.KindPlaylists);
        Assert.Null(snapshot.Title);
    }

    [Fact]
    public void The_hand_off_carries_the_kinds()
    {
        var snapshot = new ChannelSnapshot(Channel, null, [new FetchedVideo("shortshorts", "S", Day, VideoKind.Shorts)], "feed", Day,
            Playlists: [VideoKind.Shorts]);

        var json = SnapshotHandoff.Serialize(snapshot);
        var (read, problem) = SnapshotHandoff.Read(json);

        Assert.Null(problem);
        Assert.Contains("\"shorts\"", json);
        Assert.Equal(VideoKind.Shorts, Assert.Single(read!.Videos).Kind);
        Assert.Equal([VideoKind.Shorts], read.Playlists);
    }

    [Fact]
    public void A_hand_off_entry_from_before_kinds_reads_as_the_uploads_alone()
    {
        var (read, problem) = SnapshotHandoff.Read($$"""
            {"ChannelId":"{{Channel}}","Title":null,"Source":"feed","FetchedAt":"2026-01-01T00:00:00Z",
             "Videos":[{"VideoId":"dQw4w9WgXcQ","Title":"","PublishedAt":"2025-12-31T23:00:00Z"}]}
            """);

        Assert.Null(problem);
        Assert.True(read!.IncludesUploads);
        Assert.Empty(read.KindPlaylists);
        Assert.Null(Assert.Single(read.Videos).Kind);
    }
}
