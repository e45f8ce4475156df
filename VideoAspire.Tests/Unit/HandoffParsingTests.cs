using VideoAspire.Redis.Handoff;

namespace VideoAspire.Tests.Unit;

/// <summary>A hand-off entry is checked field by field when read: JSON that parses is not yet a snapshot.</summary>
public sealed class HandoffParsingTests
{
    private const string Channel = "UC0032Wkd3aCT4rRi1YOVc2d";

    [Theory]
    [InlineData("null", "null snapshot")]
    [InlineData("{}", "invalid channel id")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Source":"x","FetchedAt":"2026-01-01T00:00:00Z"}""", "no videos field")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[],"FetchedAt":"2026-01-01T00:00:00Z"}""", "no source")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[],"Source":"x"}""", "no fetch time")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[null],"Source":"x","FetchedAt":"2026-01-01T00:00:00Z"}""", "video 0 is null")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[{}],"Source":"x","FetchedAt":"2026-01-01T00:00:00Z"}""", "video 0 has no id")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[{"VideoId":"dQw4w9WgXcQ","PublishedAt":"2026-01-01T00:00:00Z"}],"Source":"x","FetchedAt":"2026-01-01T00:00:00Z"}""", "video 0 has no title")]
    [InlineData($$"""{"ChannelId":"{{Channel}}","Videos":[{"VideoId":"dQw4w9WgXcQ","Title":"t"}],"Source":"x","FetchedAt":"2026-01-01T00:00:00Z"}""", "video 0 has no publish time")]
    [InlineData("[1,2]", "not a snapshot")]
    public void Malformed_entries_are_refused_with_the_reason(string json, string reason)
    {
        var (snapshot, problem) = SnapshotHandoff.Read(json);

        Assert.Null(snapshot);
        Assert.StartsWith(reason, problem);
    }

    [Fact]
    public void A_complete_snapshot_is_read()
    {
        var (snapshot, problem) = SnapshotHandoff.Read($$"""
            {"ChannelId":"{{Channel}}","Title":null,"Source":"feed","FetchedAt":"2026-01-01T00:00:00Z",
             "Videos":[{"VideoId":"dQw4w9WgXcQ","Title":"","PublishedAt":"2025-12-31T23:00:00Z"}]}
            """);

        Assert.Null(problem);
        Assert.Equal("dQw4w9WgXcQ", Assert.Single(snapshot!.Videos).VideoId);
    }
}
