using VideoAspire.MigrationService;

namespace VideoAspire.Tests.Unit;

public sealed class DemoDataTests
{
    [Fact]
    public void Is_deterministic_valid_and_contains_the_documented_channels()
    {
        var (channels, videoCount) = DemoData.Generate();
        var (again, _) = DemoData.Generate();

        Assert.Equal(DemoData.ChannelCount, channels.Count);
        Assert.Equal(channels.Select(c => c.Id), again.Select(c => c.Id));
        Assert.All(DemoData.WellKnownChannelIds, id => Assert.Contains(channels, c => c.Id == id));
        Assert.All(channels, c => Assert.True(ChannelId.IsValid(c.Id), c.Id));
        Assert.Equal(channels.Count, channels.Select(c => c.Id).Distinct().Count());

        var videos = channels.SelectMany(c => c.Videos).ToList();
        Assert.Equal(videoCount, videos.Count);
        Assert.Equal(videos.Count, videos.Select(v => v.VideoId).Distinct().Count());
        Assert.All(videos, v => Assert.Matches("^[A-Za-z0-9_-]{11}$", v.VideoId));
        Assert.All(channels, c => Assert.True(c.Videos.Count >= LatestVideo.Count));
        // Same-day uploads exist, so ordering by date alone would be ambiguous.
        Assert.Contains(channels, c => c.Videos.GroupBy(v => v.PublishedAt.UtcDateTime.Date).Any(g => g.Count() > 1));
    }

    [Fact]
    public void A_few_demo_channels_have_handles_keyed_as_reads_normalise_them()
    {
        var (channels, _) = DemoData.Generate();

        var resolutions = DemoData.Resolutions(channels);

        Assert.Equal(DemoData.Handles.Length, resolutions.Count);
        Assert.Equal(DemoData.WellKnownChannelIds[0], resolutions[0].ChannelId);
        Assert.All(resolutions, r => Assert.True(ChannelReference.TryParseHandle(r.Reference, out var handle) && handle.Key == r.Reference, r.Reference));
        Assert.All(resolutions, r => Assert.True(r.ExpiresAt > DateTimeOffset.UtcNow.AddYears(10)));
    }
}
