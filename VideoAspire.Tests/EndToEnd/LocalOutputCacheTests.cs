using System.Text.Json;
using System.Text.RegularExpressions;
using VideoAspire.Api.Security;
using VideoAspire.Catalog.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The output cache's memory level on each Api replica: hot channels are answered from memory, and a change made
/// through any replica (or the Worker) is seen by every replica's next read.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class LocalOutputCacheTests(AppHostFixture fixture) : IDisposable
{
    private const int Reads = 12; // the proxy spreads them over both replicas

    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    [Fact]
    public async Task A_write_through_one_replica_is_seen_by_every_replica_at_once()
    {
        var channelId = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await PutVideoAsync(channelId, "Old news", day);
        var memoryHitsBefore = await MemoryHitsAsync();

        // Every replica computes or loads the answer, then holds it in memory.
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal("Old news", await NewestTitleAsync(channelId));
        }

        // (The exporter caches a scrape for a moment: ask until the count moves. Other tests' changes reaching the Api
        // may drop the memory level meanwhile, so keep the channel hot while asking.)
        await TestCatalog.EventuallyAsync(async () =>
        {
            Assert.Equal("Old news", await NewestTitleAsync(channelId));
            return await MemoryHitsAsync() > memoryHitsBefore;
        }, TimeSpan.FromSeconds(10), "hot reads are answered from the replicas' memory");

        await PutVideoAsync(channelId, "Breaking", day.AddDays(1));

        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal("Breaking", await NewestTitleAsync(channelId));
        }
    }

    [Fact]
    public async Task A_change_found_by_the_Worker_reaches_every_replica()
    {
        var channelId = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        await PutVideoAsync(channelId, "Before", day);
        for (var i = 0; i < Reads; i++)
        {
            await NewestTitleAsync(channelId);
        }

        // Written behind the Api's back: the Worker's cache refresh notices and evicts the channel everywhere.
        await fixture.Database.ExecuteAsync(
            "INSERT INTO videos (video_id, channel_id, title, published_at) VALUES ($1, $2, 'After', $3)",
            TestCatalog.NewVideoId(), channelId, day.AddDays(1));

        await TestCatalog.EventuallyAsync(async () =>
        {
            var titles = await Task.WhenAll(Enumerable.Range(0, Reads).Select(_ => NewestTitleAsync(channelId)));
            return titles.All(title => title == "After");
        }, TimeSpan.FromSeconds(20), "every replica serves the Worker's change");
    }

    [Fact]
    public async Task Rotating_the_Host_header_does_not_multiply_cache_entries()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideoAsync(channelId, "One entry", new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

        foreach (var host in new[] { "a.example", "b.example", "c.example", "localhost" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={channelId}");
            request.Headers.Host = host;
            using var response = await fixture.Api.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var server = fixture.Redis.GetServer(fixture.Redis.GetEndPoints()[0]);
        await TestCatalog.EventuallyAsync(
            () => Task.FromResult(server.Keys(pattern: $"*MSOCV*{channelId}*").Count() == 1),
            TimeSpan.FromSeconds(5), "one output-cache entry in Redis whatever the Host header");
    }

    [Fact]
    public async Task A_first_read_stores_its_answer_once_and_the_second_read_fills_the_output_cache()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Read twice", DateTimeOffset.UtcNow.AddDays(-1));
        var server = fixture.Redis.GetServer(fixture.Redis.GetEndPoints()[0]);
        var redis = fixture.Redis.GetDatabase();

        // First read (from PostgreSQL): the answer is written to Redis once, as the latest-five entry. Most of a long
        // tail is read once; a second copy in the output cache would be a write nobody reads.
        Assert.Equal("Read twice", await NewestTitleAsync(channelId));
        await TestCatalog.EventuallyAsync(async () => await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)),
            TimeSpan.FromSeconds(5), "the first read fills the latest-five entry");
        Assert.Empty(server.Keys(pattern: $"*MSOCV*{channelId}*"));

        // Second read (from that entry, whichever replica answers): now the response itself is cached.
        Assert.Equal("Read twice", await NewestTitleAsync(channelId));
        await TestCatalog.EventuallyAsync(
            () => Task.FromResult(server.Keys(pattern: $"*MSOCV*{channelId}*").Count() == 1),
            TimeSpan.FromSeconds(5), "the second read fills the output cache");
    }

    private async Task PutVideoAsync(string channelId, string title, DateTimeOffset publishedAt)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos",
            new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = title, published_at = publishedAt.ToString("O") } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> NewestTitleAsync(string channelId) =>
        (await fixture.ReadVideosAsync($"/videos?channel_id={channelId}", channelId))[0].GetProperty("video_title").GetString();

    /// <summary>Memory-level hits summed over what several scrapes (spread over the replicas) report.</summary>
    private async Task<double> MemoryHitsAsync()
    {
        using var scraper = fixture.CreateApiClient(TestTokens.Create(Scopes.MetricsRead, subject: "prometheus"));
        var scrapes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => scraper.GetStringAsync("/metrics")));
        // The replicas export the same label set: each distinct value seen is one replica's count (a hit on either
        // replica moves the sum; the highest alone would miss hits on the replica with the lower count).
        return scrapes
            .SelectMany(scrape => MemoryHitsLine().Matches(scrape).Select(m => (Labels: m.Groups["labels"].Value, Value: double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture))))
            .GroupBy(sample => sample.Labels)
            .Sum(group => group.Select(sample => sample.Value).Distinct().Sum());
    }

    [GeneratedRegex(@"^videoaspire_output_cache_hits_total\{(?<labels>[^}]*level=""memory""[^}]*)\} (?<value>[0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex MemoryHitsLine();
}
