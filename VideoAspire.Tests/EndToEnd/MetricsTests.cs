using System.Text.RegularExpressions;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Tests.Tools;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The alert rules and the Grafana dashboard watch metrics the services really export, under the names Prometheus sees.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed partial class MetricsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_dashboard_use_is_exported()
    {
        // Make every metric exist: a cold fetch (upstream calls, quota), persisted by the Worker (hand-off lag), read again.
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Measured", DateTimeOffset.UtcNow.AddDays(-1)));
        await fixture.ReadVideosAsync($"/videos?channel_id={channel.Id}&wait=true", channel.Id);
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channel.Id) == 1,
            TimeSpan.FromSeconds(30), "the fetched video is persisted");
        // A kind of it (kind playlists read): this channel has no Shorts.
        Assert.Empty(await fixture.ReadVideosAsync($"/videos?channel_id={channel.Id}&kind=shorts&wait=true", channel.Id));
        // A pushed upload (WebSub: notifications, freshness, hub requests, renewals, live subscriptions).
        var (pushed, _) = await fixture.SubscribedChannelAsync();
        var upload = new FakeVideo(TestCatalog.NewVideoId(), "Pushed", DateTimeOffset.UtcNow.AddSeconds(-1));
        (await fixture.YouTube.Hub.PushVideoAsync(pushed, upload, DateTimeOffset.UtcNow)).Dispose();
        await TestCatalog.EventuallyAsync(
            async () => (await fixture.ReadVideosAsync($"/videos?channel_id={pushed}", pushed))[0].GetProperty("video_id").GetString() == upload.VideoId,
            TimeSpan.FromSeconds(10), "the pushed upload is served");
        // And cache hits: read it again through both Api replicas (Redis answers a replica's first read, memory the next).
        foreach (var address in fixture.ReplicaAddresses("VideoAspire.Api"))
        {
            using var reader = AppHostFixture.CreateReplicaClient(address, TestTokens.Create(Scopes.VideosRead));
            for (var i = 0; i < 3; i++)
            {
                (await reader.GetAsync($"/videos?channel_id={channel.Id}")).EnsureSuccessStatusCode();
            }
        }

        // A webhook delivered (messages settled, attempts, commit-to-delivery; the backlog gauges are reported every 10 s).
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = receiver.Add();
        using var subscriber = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosSubscribe, subject: "metrics-subscriber"));
        using var created = await subscriber.PostAsJsonAsync("/subscriptions", new { channel_ids = new[] { channel.Id }, url = receiver.UrlOf(endpoint) });
        var subscription = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        await TestCatalog.EventuallyAsync(async () => (await subscriber.GetStringAsync($"/subscriptions/{subscription}")).Contains("\"active\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the endpoint is verified");
        using var writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "metrics-writer"));
        (await writer.PutAsJsonAsync($"/channels/{channel.Id}/videos", new
        {
            videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = "Delivered", published_at = DateTimeOffset.UtcNow } },
        })).EnsureSuccessStatusCode();
        await TestCatalog.EventuallyAsync(() => Task.FromResult(endpoint.Events.Count > 0), TimeSpan.FromSeconds(15), "the webhook is delivered");

        var rules = await File.ReadAllTextAsync(Repository.PathOf("deploy", "prometheus", "alerts.yml"));
        var dashboard = string.Join('\n', GrafanaDashboardTests.Queries());
        var wanted = MetricName().Matches(rules + dashboard).Select(m => m.Value).ToHashSet();
        Assert.Contains("videoaspire_handoff_lag_seconds_bucket", wanted);
        Assert.Contains("db_client_operation_duration_seconds_bucket", wanted);

        // Every replica of the Api and of the Worker, each at its own address (what one recorded the other may not have).
        var token = TestTokens.Create(Scopes.MetricsRead, subject: "prometheus");
        var scrapers = fixture.ReplicaAddresses("VideoAspire.Api").Concat(fixture.ReplicaAddresses("VideoAspire.Worker"))
            .Select(address => AppHostFixture.CreateReplicaClient(address, token))
            .ToList();
        try
        {
            Assert.Equal(4, scrapers.Count);
            // Poll: the Worker's metrics appear when it has persisted, the exporters refresh on their own schedule.
            var missing = wanted;
            for (var deadline = DateTime.UtcNow.AddSeconds(60); missing.Count > 0 && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                var exported = string.Concat(await Task.WhenAll(scrapers.Select(scraper => scraper.GetStringAsync("/metrics"))));
                missing = wanted.Where(name => !exported.Contains(name + "{") && !exported.Contains(name + " ")).ToHashSet();
            }

            Assert.Empty(missing);
        }
        finally
        {
            scrapers.ForEach(scraper => scraper.Dispose());
        }
    }

    [GeneratedRegex(@"\b(videoaspire|http_server|http_client|db_client|dotnet|kestrel)_[a-z_]+\b")]
    private static partial Regex MetricName();
}
