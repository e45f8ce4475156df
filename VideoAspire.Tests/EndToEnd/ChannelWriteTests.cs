using System.Text;
using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Catalog.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>The write endpoints: validation, idempotency, all-or-nothing, and fresh reads after every write.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ChannelWriteTests(AppHostFixture fixture) : IDisposable
{
    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    [Fact]
    public async Task Register_creates_then_updates()
    {
        var channelId = TestCatalog.NewChannelId();

        using var created = await _writer.PutAsJsonAsync($"/channels/{channelId}", new { title = "First title" });
        using var updated = await _writer.PutAsJsonAsync($"/channels/{channelId}", new { title = "Second & <title>" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        using var body = JsonDocument.Parse(await updated.Content.ReadAsStringAsync());
        Assert.Equal("Second & <title>", body.RootElement.GetProperty("title").GetString());
        Assert.Equal("Second & <title>", await fixture.Database.ScalarAsync<string>("SELECT title FROM channels WHERE id = $1", channelId));
        Assert.Empty(await ReadVideosAsync(channelId));
    }

    [Fact]
    public async Task Bulk_upsert_is_idempotent_and_the_next_read_is_fresh()
    {
        var channelId = TestCatalog.NewChannelId();
        var day = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var videos = Enumerable.Range(0, 6)
            .Select(i => new { video_id = TestCatalog.NewVideoId(), video_title = $"Part {i}", published_at = day.AddHours(i).ToString("O") })
            .ToList();

        var first = await PutVideosAsync(channelId, videos);
        Assert.Equal((6, 6), first);
        Assert.Equal("Part 5", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString()); // now cached

        Assert.Equal((6, 0), await PutVideosAsync(channelId, videos)); // same again: nothing changes

        var newer = new { video_id = TestCatalog.NewVideoId(), video_title = "Breaking", published_at = day.AddDays(1).ToString("O") };
        Assert.Equal((1, 1), await PutVideosAsync(channelId, [newer]));
        // The write evicted both caches: the very next read shows it.
        Assert.Equal("Breaking", (await ReadVideosAsync(channelId))[0].GetProperty("video_title").GetString());
        Assert.Equal(7, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
    }

    [Fact]
    public async Task Invalid_videos_are_reported_per_field_and_nothing_is_written()
    {
        var channelId = TestCatalog.NewChannelId();
        object[] videos =
        [
            new { video_id = TestCatalog.NewVideoId(), video_title = "Fine", published_at = "2026-01-01T10:00:00Z" },
            new { video_id = "short", video_title = "Bad id", published_at = "2026-01-01T10:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = (string?)null, published_at = "2026-01-01T10:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = "No offset", published_at = "2026-01-01T10:00:00" },
            new { video_id = TestCatalog.NewVideoId(), video_title = "Future", published_at = "2999-01-01T00:00:00Z" },
            new { video_id = TestCatalog.NewVideoId(), video_title = new string('x', 201), published_at = "2026-01-01T10:00:00Z" },
        ];

        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(
            ["videos[1].video_id", "videos[2].video_title", "videos[3].published_at", "videos[4].published_at", "videos[5].video_title"],
            fields.Order());
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channels WHERE id = $1", channelId));
    }

    [Theory]
    [InlineData("/channels/not-a-channel", "PUT")]
    [InlineData("/channels/not-a-channel/videos", "PUT")]
    [InlineData("/channels/not-a-channel", "DELETE")]
    [InlineData("/channels/not-a-channel/refresh", "POST")]
    [InlineData("/channels/not-a-channel/cache", "DELETE")]
    public async Task Malformed_channel_ids_are_400(string path, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{\"title\":\"t\",\"videos\":[]}", Encoding.UTF8, "application/json"),
        };

        using var response = await _writer.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_json_too_many_videos_and_oversized_bodies_are_refused()
    {
        var channelId = TestCatalog.NewChannelId();

        using var malformed = await _writer.PutAsync($"/channels/{channelId}/videos",
            new StringContent("{\"videos\": [ {\"video_id\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var tooMany = Enumerable.Range(0, 501).Select(_ => new { video_id = TestCatalog.NewVideoId(), video_title = "t", published_at = "2026-01-01T00:00:00Z" });
        using var many = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos = tooMany });
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);

        var huge = new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = new string('x', 2_000_000), published_at = "2026-01-01T00:00:00Z" } } };
        using var oversized = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);

        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channels WHERE id = $1", channelId));
    }

    [Fact]
    public async Task Delete_removes_the_channel_and_its_cached_answers()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "Gone soon", published_at = "2026-01-01T00:00:00Z" }]);
        Assert.Single(await ReadVideosAsync(channelId)); // cached

        using var deleted = await _writer.DeleteAsync($"/channels/{channelId}");
        using var again = await _writer.DeleteAsync($"/channels/{channelId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
        // Not in the database, not in a cache, and YouTube (the fake) has never heard of it.
        using var read = await fixture.Api.GetAsync($"/videos?channel_id={channelId}&wait=true");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Refresh_is_queued_and_cache_eviction_drops_the_entry()
    {
        var channelId = TestCatalog.NewChannelId();
        await PutVideosAsync(channelId, [new { video_id = TestCatalog.NewVideoId(), video_title = "v", published_at = "2026-01-01T00:00:00Z" }]);
        await ReadVideosAsync(channelId);
        Assert.True(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        using var evicted = await _writer.DeleteAsync($"/channels/{channelId}/cache");
        Assert.Equal(HttpStatusCode.NoContent, evicted.StatusCode);
        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        using var queued = await _writer.PostAsync($"/channels/{channelId}/refresh", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        using var unknown = await _writer.PostAsync($"/channels/{TestCatalog.NewChannelId()}/refresh", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(int Received, int Changed)> PutVideosAsync(string channelId, IEnumerable<object> videos)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new { videos });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("received").GetInt32(), body.RootElement.GetProperty("changed").GetInt32());
    }

    private Task<List<JsonElement>> ReadVideosAsync(string channelId) =>
        fixture.ReadVideosAsync($"/videos?channel_id={channelId}", channelId);
}
