using System.Text.RegularExpressions;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The output cache's memory level on each Api replica: hot channels are answered from memory, and a change made
/// through any replica (or the Worker) is seen by every replica's next read.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed partial class LocalOutputCacheTests(AppHostFixture fixture) : IDisposable
{
    private const int Reads = 12; // the proxy spreads them over both replicas

    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    [Fact]
    public async Task A_write_through_one_replica_is_seen_by_every_replica_within_moments()
    {
        var channelId = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await PutVideoAsync(channelId, "Old news", day);

        // One client per replica, at the replica's own address: its reads and its scrapes of /metrics reach that replica.
        var readers = fixture.ReplicaAddresses("VideoAspire.Api")
            .Select(address => AppHostFixture.CreateReplicaClient(address, TestTokens.Create($"{Scopes.VideosRead} {Scopes.MetricsRead}", subject: "hot-reader")))
            .ToList();
        try
        {
            Assert.Equal(2, readers.Count);
            foreach (var reader in readers)
            {
                // The replica computes or loads the answer, then holds it in memory and answers from there.
                var memoryHitsBefore = await MemoryHitsAsync(reader);
                await TestCatalog.EventuallyAsync(async () =>
                {
                    Assert.Equal("Old news", await NewestTitleAsync(reader, channelId));
                    return await MemoryHitsAsync(reader) > memoryHitsBefore; // the exporter caches a scrape for a moment
                }, TimeSpan.FromSeconds(10), "hot reads are answered from the replica's memory");
            }

            await PutVideoAsync(channelId, "Breaking", day.AddDays(1));

            // The writing replica evicts before it answers; the other hears the eviction over pub/sub, which is not
            // ordered with the PUT's response, so it gets moments (far below the local TTL of the memory copy).
            foreach (var reader in readers)
            {
                await TestCatalog.EventuallyAsync(
                    async () => await NewestTitleAsync(reader, channelId) == "Breaking",
                    TimeSpan.FromSeconds(2),
                    "every replica drops its memory copy when it hears of the write");
            }
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
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
    public async Task Rotating_the_Host_header_adds_no_cache_entry()
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

        await TestCatalog.EventuallyAsync(async () => await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channelId)),
            TimeSpan.FromSeconds(5), "the channel's one latest-five entry");
        Assert.Equal(1, ChannelKeys(channelId, "latest"));
        Assert.Equal(0, OutputCacheEntries(channelId));
    }

    [Fact]
    public async Task A_channel_is_stored_in_redis_once_as_its_latest_five_entry_however_often_it_is_read()
    {
        var channelId = await StoredChannelAsync("Read often");
        var redis = fixture.Redis.GetDatabase();

        // First read (from PostgreSQL): the answer is written to Redis once, as the latest-five entry. Later reads (from
        // that entry, then from each replica's memory) add nothing to Redis: no response copy, no tag set.
        Assert.Equal("Read often", await NewestTitleAsync(channelId));
        await TestCatalog.EventuallyAsync(async () => await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)),
            TimeSpan.FromSeconds(5), "the first read fills the latest-five entry");
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal("Read often", await NewestTitleAsync(channelId));
        }

        await Task.Delay(300); // what a read sends without waiting has landed
        Assert.Equal(0, OutputCacheEntries(channelId));
        Assert.Empty(fixture.Redis.GetServer(fixture.Redis.GetEndPoints()[0]).Keys(pattern: $"*{CacheKeys.ChannelTag(channelId)}*"));
    }

    [Fact]
    public async Task Concurrent_first_reads_of_one_channel_all_get_its_answer()
    {
        var channelId = await StoredChannelAsync("Read at once");

        // Requests that wait on the first read's lookup get no stored response to share (a first read stores none): each
        // reads the channel itself, and every one of them answers.
        var titles = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => NewestTitleAsync(channelId)));
        Assert.All(titles, title => Assert.Equal("Read at once", title));
        Assert.Equal("Read at once", await NewestTitleAsync(channelId));
        Assert.Equal(0, OutputCacheEntries(channelId));
    }

    /// <summary>A channel stored in PostgreSQL with one video, in no cache yet.</summary>
    private async Task<string> StoredChannelAsync(string title)
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), title, DateTimeOffset.UtcNow.AddDays(-1));
        return channelId;
    }

    /// <summary>The channel's output-cache entries in Redis.</summary>
    /// <summary>Responses about the channel in the Redis output-cache store.</summary>
    private int OutputCacheEntries(string channelId) =>
        fixture.Redis.GetServer(fixture.Redis.GetEndPoints()[0]).Keys(pattern: $"*MSOCV*{channelId}*").Count();

    private int ChannelKeys(string channelId, string suffix) =>
        fixture.Redis.GetServer(fixture.Redis.GetEndPoints()[0]).Keys(pattern: $"videos:{{{channelId}}}:{suffix}").Count();

    private async Task PutVideoAsync(string channelId, string title, DateTimeOffset publishedAt)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos",
            new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = title, published_at = publishedAt.ToString("O") } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string?> NewestTitleAsync(HttpClient client, string channelId)
    {
        using var response = await client.GetAsync($"/videos?channel_id={channelId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty(channelId)[0].GetProperty("video_title").GetString();
    }

    private async Task<string?> NewestTitleAsync(string channelId) =>
        (await fixture.ReadVideosAsync($"/videos?channel_id={channelId}", channelId))[0].GetProperty("video_title").GetString();

    /// <summary>The memory-level hits of the replica this client's connection reaches.</summary>
    private static async Task<double> MemoryHitsAsync(HttpClient client) =>
        MemoryHitsLine().Matches(await client.GetStringAsync("/metrics"))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^videoaspire_output_cache_hits_total\{(?<labels>[^}]*level=""memory""[^}]*)\} (?<value>[0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex MemoryHitsLine();
}
