using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// <c>kind=videos|shorts|live|all</c>: each kind from YouTube's own playlist of that kind (the stand-in serves them over
/// the Data API and the feed), kept apart in every layer (output cache, latest-five entries, single flight, PostgreSQL),
/// and the default answer exactly what it always was.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class VideoKindTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow.AddHours(-1);

    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "kind-writer"));

    [Fact]
    public async Task Each_kind_comes_from_its_own_playlist_and_is_stored_with_its_kind()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), "Every kind");
        var longForm = Add(channel, VideoKind.Videos, Now.AddDays(-1), Now.AddDays(-3));
        var shorts = Add(channel, VideoKind.Shorts, Now.AddMinutes(-30), Now.AddDays(-2));
        var live = Add(channel, VideoKind.Live, Now.AddDays(-4));

        // A channel nobody has read yet: its uploads and the kind's playlist (channels + UU + UULF: 3 units). Counted for
        // the Api's reads only: the Worker's scheduled refresh may read the stored channel meanwhile.
        Assert.Equal(Ids(longForm), await ReadIdsAsync(channel.Id, "videos"));
        Assert.Equal(1, ApiCalls("channels", channel.Id));
        Assert.Equal(1, ApiCalls("playlistItems", channel.Id));
        Assert.Equal(1, ApiCalls("playlistItems:videos", channel.Id));
        await TestCatalog.EventuallyAsync(async () => await KindMarkedAsync(channel.Id, VideoKind.Videos),
            TimeSpan.FromSeconds(20), "the Worker stored the channel with its long-form videos");

        // Stored now: another kind is its playlist alone (one unit), and "all" is what is stored.
        Assert.Equal(Ids(shorts), await ReadIdsAsync(channel.Id, "shorts"));
        Assert.Equal(Ids(live), await ReadIdsAsync(channel.Id, "live"));
        Assert.Equal(channel.Videos.OrderByDescending(v => v.PublishedAt).Select(v => v.VideoId), await ReadIdsAsync(channel.Id, "all"));
        Assert.Equal(1, ApiCalls("channels", channel.Id));
        Assert.Equal(1, ApiCalls("playlistItems", channel.Id));
        Assert.Equal(1, ApiCalls("playlistItems:shorts", channel.Id));
        Assert.Equal(1, ApiCalls("playlistItems:live", channel.Id));

        await TestCatalog.EventuallyAsync(async () => await KindMarkedAsync(channel.Id, VideoKind.Shorts) && await KindMarkedAsync(channel.Id, VideoKind.Live),
            TimeSpan.FromSeconds(20), "the Worker stored the shorts and the live streams");
        var stored = await StoredKindsAsync(channel.Id);
        Assert.Equal(channel.Videos.Count, stored.Count); // each video once, though listed in two playlists
        Assert.All(channel.Videos, video => Assert.Equal(video.Kind.Name(), stored[video.VideoId]));
    }

    [Fact]
    public async Task A_channel_with_only_shorts_has_no_videos_and_no_live_streams()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), "Shorts only");
        var shorts = Add(channel, VideoKind.Shorts, Now.AddHours(-2), Now.AddDays(-1), Now.AddDays(-2));

        // UULF and UULV do not exist for it: playlistNotFound, which means "none of that kind", not "no such channel".
        Assert.Empty(await ReadIdsAsync(channel.Id, "videos"));
        await TestCatalog.EventuallyAsync(async () => await KindMarkedAsync(channel.Id, VideoKind.Videos),
            TimeSpan.FromSeconds(20), "the Worker stored the channel");
        Assert.Empty(await ReadIdsAsync(channel.Id, "live"));
        Assert.Equal(Ids(shorts), await ReadIdsAsync(channel.Id, "shorts"));
        Assert.Equal(Ids(shorts), await ReadIdsAsync(channel.Id, "all"));

        // Empty answers are answers: cached like any other.
        Assert.Empty(await ReadIdsAsync(channel.Id, "videos"));
        Assert.Empty(await ReadIdsAsync(channel.Id, "live"));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:videos", channel.Id));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:live", channel.Id));
    }

    [Fact]
    public async Task Stored_kinds_are_served_from_PostgreSQL_then_Redis_each_under_its_own_entry()
    {
        var first = await StoredChannelAsync(VideoKind.Videos, VideoKind.Shorts);
        var second = await StoredChannelAsync(VideoKind.Videos, VideoKind.Shorts);

        Assert.Equal(first.Of(VideoKind.Shorts), await ReadIdsAsync(first.Id, "shorts"));
        Assert.Equal(first.Of(VideoKind.Videos), await ReadIdsAsync(first.Id, "Videos")); // the kind's case does not matter
        Assert.Equal(first.All, await ReadIdsAsync(first.Id, null));

        // Each kind under its own latest-five entry (filled without waiting for Redis: looked for until it lands).
        var redis = fixture.Redis.GetDatabase();
        foreach (var kind in new[] { VideoKind.Shorts, VideoKind.Videos, VideoKind.All })
        {
            await TestCatalog.EventuallyAsync(async () => await redis.KeyExistsAsync(CacheKeys.LatestVideos(first.Id, kind)),
                TimeSpan.FromSeconds(2), $"the {kind} entry is filled");
        }

        // The batch form takes a kind for all of its ids.
        using var batch = await fixture.Api.GetAsync($"/videos?channel_id={first.Id}&channel_id={second.Id}&kind=shorts");
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        using var body = JsonDocument.Parse(await batch.Content.ReadAsStringAsync());
        Assert.Equal(first.Of(VideoKind.Shorts), IdsOf(body.RootElement.GetProperty(first.Id)));
        Assert.Equal(second.Of(VideoKind.Shorts), IdsOf(body.RootElement.GetProperty(second.Id)));

        Assert.Equal(0, fixture.YouTube.Calls("playlistItems:shorts", first.Id) + fixture.YouTube.Calls("playlistItems:videos", first.Id));
    }

    [Fact]
    public async Task One_write_evicts_every_kind_and_a_new_upload_sends_the_next_kind_read_to_YouTube()
    {
        var stored = await StoredChannelAsync(VideoKind.Videos, VideoKind.Shorts);
        // YouTube has what is stored, and one Short more.
        var channel = fixture.YouTube.AddChannel(stored.Id);
        channel.Videos.AddRange(stored.Videos);
        var newShort = Add(channel, VideoKind.Shorts, Now.AddMinutes(-1)).Single();

        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));
        Assert.Equal(stored.All, await ReadIdsAsync(stored.Id, "all"));
        Assert.Equal(stored.Of(VideoKind.Videos), await ReadIdsAsync(stored.Id, "videos"));

        // A new upload of unknown kind written through the Api.
        var upload = TestCatalog.NewVideoId();
        using var written = await _writer.PutAsJsonAsync($"/channels/{stored.Id}/videos", new
        {
            videos = new[] { new { video_id = upload, video_title = "Unknown kind", published_at = Now.AddMinutes(-2) } },
        });
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);

        // Every kind's entry went with it, and the kinds read before it are no longer the latest.
        var redis = fixture.Redis.GetDatabase();
        foreach (var kind in Enum.GetValues<VideoKind>())
        {
            Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(stored.Id, kind)), $"the {kind} entry is evicted");
        }

        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", stored.Id));
        Assert.Equal(upload, (await ReadIdsAsync(stored.Id, null))[0]);
        Assert.Equal(newShort.VideoId, (await ReadIdsAsync(stored.Id, "shorts"))[0]);
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:shorts", stored.Id));
        Assert.Equal(0, fixture.YouTube.Calls("channels", stored.Id)); // the channel is stored: its kind playlist alone
    }

    [Fact]
    public async Task A_pushed_upload_makes_the_kinds_stale_and_the_next_kind_read_finds_it()
    {
        var (channelId, stored) = await fixture.SubscribedChannelAsync();
        var channel = fixture.YouTube.AddChannel(channelId);
        channel.Videos.Add(new FakeVideo(stored, "Stored before", Now.AddDays(-2)));
        Assert.Equal([stored], await ReadIdsAsync(channelId, "videos"));
        await TestCatalog.EventuallyAsync(async () => await KindMarkedAsync(channelId, VideoKind.Videos),
            TimeSpan.FromSeconds(20), "the long-form videos are stored as read");

        var upload = new FakeVideo(TestCatalog.NewVideoId(), "Pushed long-form", Now.AddMinutes(-1));
        channel.Videos.Add(upload);
        (await fixture.YouTube.Hub.PushVideoAsync(channelId, upload, DateTimeOffset.UtcNow)).Dispose();

        await TestCatalog.EventuallyAsync(async () => !await KindMarkedAsync(channelId, VideoKind.Videos),
            TimeSpan.FromSeconds(20), "the pushed upload made the long-form videos stale");
        Assert.Equal([upload.VideoId, stored], await ReadIdsAsync(channelId, "videos"));
        Assert.Equal(2, fixture.YouTube.Calls("playlistItems:videos", channelId));
    }

    [Fact]
    public async Task A_deleted_channel_is_gone_in_every_kind_and_reads_its_kinds_afresh_once_brought_back()
    {
        var stored = await StoredChannelAsync(VideoKind.Shorts);
        var channel = fixture.YouTube.AddChannel(stored.Id);
        channel.Videos.AddRange(stored.Videos);
        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));

        using (var deleted = await _writer.DeleteAsync($"/channels/{stored.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        foreach (var kind in VideoKinds.Names)
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={stored.Id}&kind={kind}&wait=true");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var back = await _writer.PutAsJsonAsync($"/channels/{stored.Id}", new { title = "Back" }))
        {
            Assert.True(back.IsSuccessStatusCode, $"PUT answered {back.StatusCode}");
        }

        // Nothing of it is stored any more: its Shorts come from YouTube again.
        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:shorts", stored.Id));
    }

    [Fact]
    public async Task YouTube_down_serves_what_PostgreSQL_has_of_a_kind()
    {
        var stored = await StoredChannelAsync(); // kinds known, but none read since the last upload
        var channel = fixture.YouTube.AddChannel(stored.Id, api: ApiMode.ServerError, feed: FeedMode.ServerError);
        channel.Videos.AddRange(stored.Videos);

        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));
        Assert.True(fixture.YouTube.Calls("playlistItems:shorts", stored.Id) >= 1);
        Assert.True(fixture.YouTube.Calls("feed:shorts", stored.Id) >= 1);
    }

    [Fact]
    public async Task A_kind_playlist_that_vanished_is_not_served_as_empty()
    {
        var stored = await StoredChannelAsync();
        var channel = fixture.YouTube.AddChannel(stored.Id);
        channel.Videos.AddRange(stored.Videos);
        channel.KindPlaylistsGone = true; // the undocumented scheme stopped working

        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));
        Assert.Equal(stored.Of(VideoKind.Shorts), await ReadIdsAsync(stored.Id, "shorts"));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:shorts", stored.Id)); // asked again when the entry expires, not per read
        // Not written down as read: once YouTube serves the playlist again, it is asked.
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", stored.Id));
    }

    [Fact]
    public async Task Kinds_fall_back_to_the_playlist_feed()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.QuotaExceeded);
        Add(channel, VideoKind.Videos, Now.AddDays(-1));
        var shorts = Add(channel, VideoKind.Shorts, Now.AddHours(-3), Now.AddDays(-3));

        Assert.Equal(Ids(shorts), await ReadIdsAsync(channel.Id, "shorts"));
        Assert.Equal(1, fixture.YouTube.Calls("feed", channel.Id));
        Assert.Equal(1, fixture.YouTube.Calls("feed:shorts", channel.Id));
        await TestCatalog.EventuallyAsync(async () => await KindMarkedAsync(channel.Id, VideoKind.Shorts),
            TimeSpan.FromSeconds(20), "the Worker stored the feed's shorts");
        Assert.Equal("shorts", (await StoredKindsAsync(channel.Id))[shorts[0].VideoId]);
    }

    [Fact]
    public async Task Concurrent_reads_of_a_kind_share_one_fetch_per_kind()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.Slow);
        var longForm = Add(channel, VideoKind.Videos, Now.AddDays(-1));
        var shorts = Add(channel, VideoKind.Shorts, Now.AddHours(-1));

        var reads = Enumerable.Range(0, 20)
            .Select(i => ReadIdsAsync(channel.Id, i % 2 == 0 ? "shorts" : "videos"))
            .ToList();
        var answers = await Task.WhenAll(reads);

        Assert.All(answers.Where((_, i) => i % 2 == 0), answer => Assert.Equal(Ids(shorts), answer));
        Assert.All(answers.Where((_, i) => i % 2 == 1), answer => Assert.Equal(Ids(longForm), answer));
        // One read of each kind's playlist, from whichever source answered it (on a loaded machine the slow Data API
        // may run past its budget and the feed answer instead).
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:shorts", channel.Id) + fixture.YouTube.Calls("feed:shorts", channel.Id));
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems:videos", channel.Id) + fixture.YouTube.Calls("feed:videos", channel.Id));
    }

    [Fact]
    public async Task An_unknown_channel_is_404_in_a_kind_and_remembered_for_that_kind()
    {
        var channelId = TestCatalog.NewChannelId(); // YouTube knows nothing of it

        for (var i = 0; i < 3; i++)
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}&kind=live&wait=true");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(1, fixture.YouTube.Calls("channels", channelId));
        Assert.Equal(0, fixture.YouTube.Calls("playlistItems:live", channelId)); // no channel, no kind playlist to ask for
        Assert.True(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.UnknownChannel(channelId, VideoKind.Live)));
    }

    [Theory]
    [InlineData("kind=reels")]
    [InlineData("kind=shorts&kind=live")]
    [InlineData("kind=%00")]
    public async Task An_invalid_kind_is_a_400_that_lists_the_valid_ones(string query)
    {
        var channelId = TestCatalog.NewChannelId();
        foreach (var path in new[] { $"/videos?channel_id={channelId}&{query}", $"/videos?channel_id={channelId}&channel_id={TestCatalog.NewChannelId()}&{query}" })
        {
            using var response = await fixture.Api.GetAsync(path);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var message = problem.RootElement.GetProperty("errors").GetProperty("kind")[0].GetString();
            Assert.Equal("kind must be one of: videos, shorts, live, all.", message);
        }

        Assert.Equal(0, fixture.YouTube.Calls("channels", channelId));
    }

    [Fact]
    public async Task The_default_answer_is_byte_for_byte_what_it_was()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, "aaaaaaaaaaa", "Older \"one\" é", new DateTimeOffset(2026, 3, 1, 9, 30, 15, TimeSpan.Zero));
        await fixture.Database.AddVideoAsync(channelId, "bbbbbbbbbbb", "Newer <one>", new DateTimeOffset(2026, 3, 2, 23, 59, 59, TimeSpan.FromHours(-2)));
        await AddKindVideoAsync(channelId, "ccccccccccc", VideoKind.Shorts, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

        // The seed's shape, with the full publish instant; the Short is one of the uploads.
        var expected = $$"""
            {"{{channelId}}":[{"video_id":"bbbbbbbbbbb","video_title":"Newer \u003Cone\u003E","upload_date":"2026-03-03","published_at":"2026-03-03T01:59:59Z"},{"video_id":"ccccccccccc","video_title":"Short","upload_date":"2026-03-01","published_at":"2026-03-01T12:00:00Z"},{"video_id":"aaaaaaaaaaa","video_title":"Older \u0022one\u0022 \u00E9","upload_date":"2026-03-01","published_at":"2026-03-01T09:30:15Z"}]}
            """;
        var bodies = new List<(byte[] Body, string? ETag)>();
        foreach (var path in new[] { $"/videos?channel_id={channelId}", $"/videos?channel_id={channelId}", $"/video/?channel_id={channelId}", $"/videos?channel_id={channelId}&kind=all", $"/videos?channel_id={channelId}&kind=" })
        {
            using var response = await fixture.Api.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add((await response.Content.ReadAsByteArrayAsync(), response.Headers.ETag?.Tag));
        }

        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(bodies[0].Body));
        Assert.All(bodies, body => Assert.Equal(bodies[0].Body, body.Body));
        Assert.All(bodies, body => Assert.Equal(bodies[0].ETag, body.ETag));
    }

    /// <summary>A stored channel: two long-form videos, two Shorts, one live stream, each with its kind, and the given kinds marked as read.</summary>
    private async Task<StoredKinds> StoredChannelAsync(params VideoKind[] read)
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        var videos = new List<FakeVideo>
        {
            new(TestCatalog.NewVideoId(), "Long one", Now.AddHours(-5), VideoKind.Videos),
            new(TestCatalog.NewVideoId(), "Short one", Now.AddHours(-4), VideoKind.Shorts),
            new(TestCatalog.NewVideoId(), "Stream", Now.AddHours(-30), VideoKind.Live),
            new(TestCatalog.NewVideoId(), "Short two", Now.AddDays(-3), VideoKind.Shorts),
            new(TestCatalog.NewVideoId(), "Long two", Now.AddDays(-4), VideoKind.Videos),
        };
        foreach (var video in videos)
        {
            await AddKindVideoAsync(channelId, video.VideoId, video.Kind, video.PublishedAt, video.Title);
        }

        foreach (var kind in read)
        {
            await fixture.Database.ExecuteAsync(
                "INSERT INTO channel_kinds (channel_id, kind, fetched_at) VALUES ($1, $2, now())", channelId, kind.Name());
        }

        return new StoredKinds(channelId, videos);
    }

    private Task AddKindVideoAsync(string channelId, string videoId, VideoKind kind, DateTimeOffset publishedAt, string title = "Short") =>
        fixture.Database.ExecuteAsync(
            "INSERT INTO videos (video_id, channel_id, title, published_at, kind) VALUES ($1, $2, $3, $4, $5)",
            videoId, channelId, title, publishedAt.UtcDateTime, kind.Name());

    private sealed record StoredKinds(string Id, List<FakeVideo> Videos)
    {
        public List<string> All => Videos.OrderByDescending(v => v.PublishedAt).Select(v => v.VideoId).ToList();

        public List<string> Of(VideoKind kind) => Videos.Where(v => v.Kind == kind).OrderByDescending(v => v.PublishedAt).Select(v => v.VideoId).ToList();
    }

    private static List<FakeVideo> Add(FakeChannel channel, VideoKind kind, params DateTimeOffset[] published)
    {
        var added = published.Select(at => new FakeVideo(TestCatalog.NewVideoId(), $"{kind} of {at:yyyy-MM-dd HH:mm}", at, kind)).ToList();
        channel.Videos.AddRange(added);
        return added;
    }

    private static List<string> Ids(IEnumerable<FakeVideo> videos) =>
        videos.OrderByDescending(v => v.PublishedAt).Select(v => v.VideoId).ToList();

    private static List<string> IdsOf(JsonElement videos) =>
        videos.EnumerateArray().Select(v => v.GetProperty("video_id").GetString()!).ToList();

    private async Task<List<string>> ReadIdsAsync(string channelId, string? kind) =>
        (await fixture.ReadVideosAsync($"/videos?channel_id={channelId}&wait=true" + (kind is null ? "" : $"&kind={kind}"), channelId))
        .Select(v => v.GetProperty("video_id").GetString()!)
        .ToList();

    private async Task<bool> KindMarkedAsync(string channelId, VideoKind kind) =>
        await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM channel_kinds WHERE channel_id = $1 AND kind = $2", channelId, kind.Name()) == 1;

    private async Task<Dictionary<string, string?>> StoredKindsAsync(string channelId)
    {
        var kinds = new Dictionary<string, string?>();
        await using var command = fixture.Database.CreateCommand("SELECT video_id, kind FROM videos WHERE channel_id = $1");
        command.Parameters.AddWithValue(channelId);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            kinds[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return kinds;
    }

    /// <summary>Calls the Api made (not the Worker's refresh) to an endpoint for the channel.</summary>
    private int ApiCalls(string endpoint, string channelId) => fixture.YouTube.Calls(endpoint, channelId, "VideoAspire.Api");
}
