using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VideoAspire.Api.Security;
using VideoAspire.Api.Videos;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Quota;
using VideoAspire.Telemetry;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// What the read path does in each state a channel can be in, against a real Redis and PostgreSQL and the YouTube
/// stand-in, with the Api's own services and no AppHost: one row of the decision table per test.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class ReadPathDecisionTests(StoresFixture stores) : IAsyncLifetime
{
    private static readonly DateTimeOffset Published = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private FakeYouTube _youTube = null!;
    private IHost _api = null!;

    public async Task InitializeAsync()
    {
        _youTube = await FakeYouTube.StartAsync();
        _api = ApiServices.Build([stores.ConnectionStrings, new Dictionary<string, string?>
        {
            ["YouTube:ApiBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:FeedBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:ApiKey"] = FakeYouTube.ApiKey,
            ["YouTube:AttemptTimeout"] = "00:00:03", // not tight: under the whole suite a first attempt can take over a second
            ["YouTube:TotalTimeout"] = "00:00:06",
            ["YouTube:RequestBudget"] = "00:00:00.500",
            ["RateLimiting:ColdLookupsPerMinute"] = "10000",
            ["Cache:StaleSoftTimeout"] = "00:00:03", // a stale entry yields to PostgreSQL here even when the whole suite loads it
        }]);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _youTube.DisposeAsync();
    }

    [Fact]
    public async Task A_redis_hit_is_answered_from_the_entry_without_reading_the_database()
    {
        var channelId = await StoredChannelAsync("In PostgreSQL");
        IReadOnlyList<LatestVideo> cached = [LatestVideo.Create(TestCatalog.NewVideoId(), "In Redis", Published)];
        await _api.Services.GetRequiredService<ChannelCache>().FillFetchedAsync(channelId, VideoKind.All, cached);

        var found = Assert.IsType<VideosLookup.Found>(await ReadAsync(channelId));

        Assert.Equal(cached, found.Videos);
    }

    [Fact]
    public async Task A_database_hit_is_answered_and_fills_the_entry()
    {
        var channelId = await StoredChannelAsync("In PostgreSQL");

        var found = Assert.IsType<VideosLookup.Found>(await ReadAsync(channelId));

        Assert.Equal("In PostgreSQL", Assert.Single(found.Videos).VideoTitle);
        await TestCatalog.EventuallyAsync(
            async () => await _api.Services.GetRequiredService<ChannelCache>().GetAsync(channelId) is { Count: 1 },
            TimeSpan.FromSeconds(5), "the read fills the latest-five entry");
        Assert.Equal(0, _youTube.Calls("channels", channelId));
    }

    [Fact]
    public async Task A_deleted_channel_is_deleted_and_youtube_is_not_asked()
    {
        var channelId = await StoredChannelAsync("Soon deleted");
        _youTube.AddChannel(channelId).Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "On YouTube", Published));
        await using (var scope = _api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Data.ChannelWriter>().DeleteAsync(channelId, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        Assert.IsType<VideosLookup.Deleted>(await ReadAsync(channelId));
        Assert.Equal(0, _youTube.Calls("channels", channelId));
    }

    [Fact]
    public async Task An_unknown_channel_youtube_has_is_fetched_once_and_answered()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId());
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Fetched", Published));

        var found = Assert.IsType<VideosLookup.Found>(await ReadAsync(channel.Id, wait: true));

        Assert.Equal("Fetched", Assert.Single(found.Videos).VideoTitle);
        Assert.Equal(1, _youTube.Calls("channels", channel.Id));
    }

    [Fact]
    public async Task An_unknown_channel_youtube_does_not_have_is_not_found_and_remembered()
    {
        var channelId = TestCatalog.NewChannelId();

        Assert.IsType<VideosLookup.NotFound>(await ReadAsync(channelId, wait: true));
        Assert.IsType<VideosLookup.NotFound>(await ReadAsync(channelId, wait: true));

        Assert.Equal(1, _youTube.Calls("channels", channelId));
    }

    [Fact]
    public async Task An_unknown_channel_while_youtube_is_down_is_unavailable()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.ServerError, feed: FeedMode.ServerError);

        Assert.IsType<VideosLookup.Unavailable>(await ReadAsync(channel.Id, wait: true));
    }

    [Fact]
    public async Task An_unknown_channel_while_the_data_api_is_throttled_comes_from_the_feed()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.QuotaExceeded);
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "From the feed", Published));

        var found = Assert.IsType<VideosLookup.Found>(await ReadAsync(channel.Id, wait: true));

        Assert.Equal("From the feed", Assert.Single(found.Videos).VideoTitle);
        Assert.Equal(1, _youTube.Calls("feed", channel.Id));
    }

    [Fact]
    public async Task A_caller_past_its_daily_data_api_units_is_answered_from_the_feed_and_pays_for_nothing_else()
    {
        var spent = DataApiQuota.CallerKeyFor(DateTimeOffset.UtcNow, new Caller(Spender, null).Key);
        await stores.Redis.GetDatabase().StringSetAsync(spent, 500, TimeSpan.FromMinutes(5)); // YouTube:CallerDailyUnits' default
        try
        {
            var channel = _youTube.AddChannel(TestCatalog.NewChannelId());
            channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "From the feed", Published));

            var found = Assert.IsType<VideosLookup.Found>(await ReadAsync(channel.Id, wait: true, caller: Spender));

            Assert.Equal("From the feed", Assert.Single(found.Videos).VideoTitle);
            Assert.Equal(0, _youTube.Calls("channels", channel.Id) + _youTube.Calls("playlistItems", channel.Id));
            Assert.Equal(500, (long)await stores.Redis.GetDatabase().StringGetAsync(spent));

            // Another caller still has its units: its lookup goes to the Data API.
            var other = _youTube.AddChannel(TestCatalog.NewChannelId());
            other.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "From the Data API", Published));
            Assert.IsType<VideosLookup.Found>(await ReadAsync(other.Id, wait: true));
            Assert.Equal(1, _youTube.Calls("channels", other.Id));
        }
        finally
        {
            await stores.Redis.GetDatabase().KeyDeleteAsync(spent);
        }
    }

    [Fact]
    public async Task A_stale_entry_answers_while_postgres_is_down_and_yields_to_postgres_when_it_answers()
    {
        var channelId = await StoredChannelAsync("In PostgreSQL");
        IReadOnlyList<LatestVideo> stale = [LatestVideo.Create(TestCatalog.NewVideoId(), "Stale in Redis", Published)];
        var freshUntil = DateTimeOffset.UtcNow.AddSeconds(-30);
        await stores.Redis.GetDatabase().StringSetAsync(CacheKeys.LatestVideos(channelId),
            LatestVideosEntry.Encode(stale, freshUntil), TimeSpan.FromMinutes(5));

        // PostgreSQL down (nothing listens where this Api looks for it): the stale entry, said to be stale, and YouTube is
        // not asked. Once it is known to be down, reads do not even try it.
        using (var down = ApiServices.Build([stores.ConnectionStrings, new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.Database}"] = "Host=127.0.0.1;Port=9;Username=nobody;Database=none;Timeout=2",
            ["YouTube:ApiBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:FeedBaseUrl"] = _youTube.BaseUrl,
        }]))
        {
            for (var i = 0; i < 3; i++)
            {
                await using var request = down.Services.CreateAsyncScope();
                var found = Assert.IsType<VideosLookup.Found>(await request.ServiceProvider.GetRequiredService<ReadPath>()
                    .GetAsync(channelId, VideoKind.All, wait: false, new Caller("decision-table", null), CancellationToken.None));
                Assert.Equal(stale, found.Videos);
                Assert.Equal(freshUntil.ToUnixTimeMilliseconds(), found.StaleSince?.ToUnixTimeMilliseconds());
            }

            Assert.True(down.Services.GetRequiredService<Outages>().Database.IsDown);
            Assert.Equal(0, _youTube.Calls("channels", channelId) + _youTube.Calls("feed", channelId));
        }

        // PostgreSQL answering: its answer, fresh, and the entry is refilled with it.
        var fromDatabase = Assert.IsType<VideosLookup.Found>(await ReadAsync(channelId));
        Assert.Null(fromDatabase.StaleSince);
        Assert.Equal("In PostgreSQL", Assert.Single(fromDatabase.Videos).VideoTitle);
        await TestCatalog.EventuallyAsync(async () => await _api.Services.GetRequiredService<ChannelCache>().GetAsync(channelId) is [{ VideoTitle: "In PostgreSQL" }],
            TimeSpan.FromSeconds(2), "the entry is fresh again");
    }

    private const string Spender = "quota-spender";

    [Fact]
    public async Task An_unknown_channel_while_youtube_stalls_is_pending_within_the_request_budget()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), api: ApiMode.Hang, feed: FeedMode.Hang);
        var started = TimeProvider.System.GetTimestamp();

        Assert.IsType<VideosLookup.Pending>(await ReadAsync(channel.Id));

        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    private async Task<VideosLookup> ReadAsync(string channelId, bool wait = false, string caller = "decision-table")
    {
        await using var request = _api.Services.CreateAsyncScope(); // what a request's scope holds
        return await request.ServiceProvider.GetRequiredService<ReadPath>()
            .GetAsync(channelId, VideoKind.All, wait, new Caller(caller, null), CancellationToken.None);
    }

    private async Task<string> StoredChannelAsync(string title)
    {
        var channelId = TestCatalog.NewChannelId();
        await stores.Database.AddChannelAsync(channelId);
        await stores.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), title, Published);
        return channelId;
    }
}
