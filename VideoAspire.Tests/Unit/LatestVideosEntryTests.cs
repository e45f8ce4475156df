using System.Text;
using VideoAspire.Redis.Caching;

namespace VideoAspire.Tests.Unit;

/// <summary>The latest-five entry's stored form: exact round trips, its size, and anything else read as no entry.</summary>
public sealed class LatestVideosEntryTests
{
    private static readonly DateTimeOffset FreshUntil = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Five_videos_round_trip_exactly_with_their_freshness()
    {
        IReadOnlyList<LatestVideo> videos =
        [
            LatestVideo.Create("dQw4w9WgXcQ", "Never gonna give you up", new DateTimeOffset(2009, 10, 25, 6, 57, 33, TimeSpan.Zero)),
            LatestVideo.Create("a-b_c123456", "Ünïcödé, 日本語 and 🎬 emoji", new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)),
            LatestVideo.Create("00000000001", "", new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            LatestVideo.Create("00000000002", new string('x', 400), new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero)),
            LatestVideo.Create("00000000003", "Last", new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(-8))),
        ];

        Assert.True(LatestVideosEntry.TryDecode(LatestVideosEntry.Encode(videos, FreshUntil), out var decoded, out var freshUntil));

        Assert.Equal(videos, decoded);
        Assert.Equal(FreshUntil, freshUntil);
        Assert.True(LatestVideosEntry.TryDecode(LatestVideosEntry.Encode([], FreshUntil), out var none, out _));
        Assert.Empty(none);
    }

    [Fact]
    public void The_benchmark_channel_takes_about_half_its_json_size()
    {
        // Five videos as benchmark-scale loads them: 11-character ids and 50-character titles.
        var videos = Enumerable.Range(1, 5)
            .Select(k => LatestVideo.Create($"{k:x11}", $"Video {k} of channel 123456: a title of a realistic length",
                new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(7 * k)))
            .ToList();

        var entry = LatestVideosEntry.Encode(videos, FreshUntil);

        Assert.InRange(entry.Length, 300, 400);
        Assert.True(entry.Length * 2 < System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(videos).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")] // the JSON form an older version stored
    [InlineData("[{\"video_id\":\"dQw4w9WgXcQ\"}]")]
    public void Anything_else_reads_as_no_entry(string value) =>
        Assert.False(LatestVideosEntry.TryDecode(Encoding.UTF8.GetBytes(value), out _, out _));

    [Fact]
    public void A_truncated_or_extended_entry_reads_as_no_entry()
    {
        var entry = LatestVideosEntry.Encode([LatestVideo.Create("dQw4w9WgXcQ", "Title", FreshUntil)], FreshUntil);

        for (var length = 0; length < entry.Length; length++)
        {
            Assert.False(LatestVideosEntry.TryDecode(entry.AsSpan(0, length), out _, out _));
        }

        Assert.False(LatestVideosEntry.TryDecode([.. entry, 0], out _, out _));
    }
}
