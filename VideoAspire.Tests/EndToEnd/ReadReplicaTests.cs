using System.Net.Http.Headers;
using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// An Api process whose read path uses a real streaming replica of the fixture's PostgreSQL
/// (<c>ConnectionStrings:videosdb-read</c>), with the replica's replay paused to make it lag.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class ReadReplicaTests(AppHostFixture fixture)
{
    [SkippableFact]
    public async Task Reads_come_from_the_replica_and_a_write_is_read_back_from_the_primary_while_the_replica_lags()
    {
        // The one test that may skip: a standby needs the PostgreSQL server binaries here and the test server running as a
        // local process (true wherever no container runtime runs it, as in CI).
        var bin = LocalProcess.FindBinDirectory();
        Skip.If(bin is null, "PostgreSQL server binaries (pg_basebackup, postgres) are not installed here");
        Skip.IfNot(fixture.RunsLocalPostgres, "PostgreSQL runs in a container: no local standby can stream from it");
        var primary = await fixture.ConnectionStringAsync(ResourceNames.Database);
        await using var replica = await LocalStreamingReplica.StartAsync(bin, primary,
            Path.Combine(Path.GetTempPath(), "videoaspire-replica-" + Guid.NewGuid().ToString("N")[..8]));

        var port = LocalProcess.FreePort();
        var settings = TestTokens.ApiSettings.Select(setting => setting.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        settings[$"ConnectionStrings:{ResourceNames.Database}"] = primary;
        settings[$"ConnectionStrings:{ResourceNames.DatabaseReplica}"] = replica.ConnectionString;
        settings[$"ConnectionStrings:{ResourceNames.Cache}"] = await fixture.ConnectionStringAsync(ResourceNames.Cache);
        settings["YouTube:ApiKey"] = FakeYouTube.ApiKey;
        settings["YouTube:ApiBaseUrl"] = fixture.YouTube.BaseUrl;
        settings["YouTube:FeedBaseUrl"] = fixture.YouTube.BaseUrl;
        await using var api = ServiceProcess.StartApi(settings);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create($"{Scopes.VideosRead} {Scopes.VideosWrite}", subject: "replica-test"));
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/alive")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the Api with a read replica has started\n" + api.Log);

        // A channel stored on the primary, replicated.
        var channelId = TestCatalog.NewChannelId();
        var first = TestCatalog.NewVideoId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, first, "Before the write", DateTimeOffset.UtcNow.AddDays(-2));
        await TestCatalog.EventuallyAsync(async () => await replica.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", first) == 1,
            TimeSpan.FromSeconds(30), "the replica has the channel");

        await replica.PauseReplayAsync();
        try
        {
            // Reads are the replica's: a channel the primary has but the paused replica does not is not found there.
            var notYetReplicated = TestCatalog.NewChannelId();
            await fixture.Database.AddChannelAsync(notYetReplicated);
            await fixture.Database.AddVideoAsync(notYetReplicated, TestCatalog.NewVideoId(), "Only on the primary", DateTimeOffset.UtcNow);
            using (var lagging = await http.GetAsync($"/videos?channel_id={notYetReplicated}"))
            {
                Assert.Equal(HttpStatusCode.NotFound, lagging.StatusCode); // YouTube (the fake) does not know it either
            }

            // A write through the Api goes to the primary; the channel is then read from the primary, and the cache is
            // filled with the write's answer, not the replica's older one.
            var second = TestCatalog.NewVideoId();
            using (var put = await http.PutAsJsonAsync($"/channels/{channelId}/videos",
                       new { videos = new[] { new { video_id = second, video_title = "The write", published_at = DateTimeOffset.UtcNow.ToString("O") } } }))
            {
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            Assert.Equal(0, await replica.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", second));
            for (var i = 0; i < 3; i++)
            {
                using var read = await http.GetAsync($"/videos?channel_id={channelId}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                using var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
                Assert.Equal(second, body.RootElement.GetProperty(channelId)[0].GetProperty("video_id").GetString());
            }

            var cached = (string?)await fixture.Redis.GetDatabase().StringGetAsync(CacheKeys.LatestVideos(channelId));
            Assert.Contains(second, cached);
        }
        finally
        {
            await replica.ResumeReplayAsync();
        }
    }
}
