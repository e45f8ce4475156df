using System.Text.RegularExpressions;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>The alert rules watch metrics the services really export, under the names Prometheus sees.</summary>
[Collection(AppHostCollection.Name)]
public sealed partial class MetricsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Every_metric_the_alert_rules_use_is_exported()
    {
        // Make every metric exist: a cold fetch (upstream calls, quota), persisted by the Worker (hand-off lag).
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Measured", DateTimeOffset.UtcNow.AddDays(-1)));
        await fixture.ReadVideosAsync($"/videos?channel_id={channel.Id}&wait=true", channel.Id);
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channel.Id) == 1,
            TimeSpan.FromSeconds(30), "the fetched video is persisted");

        var rules = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "prometheus", "alerts.yml"));
        var wanted = MetricName().Matches(rules).Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(wanted);

        // Every replica of the Api and of the Worker, each at its own address (what one recorded the other may not have).
        var token = TestTokens.Create(Scopes.MetricsRead, subject: "prometheus");
        var scrapers = AppHostFixture.ReplicaAddresses("VideoAspire.Api").Concat(AppHostFixture.ReplicaAddresses("VideoAspire.Worker"))
            .Select(address => AppHostFixture.CreateReplicaClient(address, token))
            .ToList();
        try
        {
            Assert.Equal(4, scrapers.Count);
            await TestCatalog.EventuallyAsync(async () =>
        {
                var exported = string.Concat(await Task.WhenAll(scrapers.Select(scraper => scraper.GetStringAsync("/metrics"))));
                return wanted.All(name => exported.Contains(name + "{") || exported.Contains(name + " "));
            }, TimeSpan.FromSeconds(60), $"all of {string.Join(", ", wanted)} are exported");
        }
        finally
        {
            scrapers.ForEach(scraper => scraper.Dispose());
        }
    }

    [GeneratedRegex(@"\b(videoaspire_[a-z_]+|http_server_request_duration_seconds_count)\b")]
    private static partial Regex MetricName();
}
