using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker;
using VideoAspire.Worker.Jobs;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The Worker persists the hand-off a batch at a time (one statement, one commit): the batch must keep every rule of the
/// single write. Driven through the Worker's own registration on the real PostgreSQL and Redis.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class BatchWriteTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset Day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_batch_keeps_the_rules_of_the_single_write()
    {
        using var worker = await WorkerAsync();
        var redis = fixture.Redis.GetDatabase();

        // Two snapshots of one new channel in the same batch, the newer one given first.
        var twice = TestCatalog.NewChannelId();
        var renamed = TestCatalog.NewVideoId();
        var added = TestCatalog.NewVideoId();
        // A deleted channel: YouTube may not bring it back.
        var deleted = TestCatalog.NewChannelId();
        await fixture.Database.ExecuteAsync("INSERT INTO channels (id, title, created_at, deleted_at) VALUES ($1, 'Gone', now(), now())", deleted);
        // A channel whose stored row was written by something newer than the snapshot: the snapshot loses.
        var newer = TestCatalog.NewChannelId();
        var kept = TestCatalog.NewVideoId();
        await fixture.Database.AddChannelAsync(newer);
        await fixture.Database.ExecuteAsync(
            "INSERT INTO videos (video_id, channel_id, title, published_at, source_time) VALUES ($1, $2, 'Newest word', $3, $4)",
            kept, newer, Day, DateTimeOffset.UtcNow.AddHours(1));
        await redis.StringSetAsync(CacheKeys.LatestVideos(twice), LatestVideosEntry.Encode([], DateTimeOffset.UtcNow.AddMinutes(5)), TimeSpan.FromMinutes(5));
        // A video of another channel named in a snapshot: it stays where it is.
        var owner = TestCatalog.NewChannelId();
        var owned = TestCatalog.NewVideoId();
        await fixture.Database.AddChannelAsync(owner);
        await fixture.Database.AddVideoAsync(owner, owned, "Owned", Day);
        var claimant = TestCatalog.NewChannelId();

        var fetchedAt = DateTimeOffset.UtcNow;
        IReadOnlyList<ChannelSnapshot> batch =
        [
            Snapshot(twice, fetchedAt, (renamed, "Renamed"), (added, "Added")),
            Snapshot(twice, fetchedAt.AddSeconds(-10), (renamed, "First title")),
            Snapshot(deleted, fetchedAt, (TestCatalog.NewVideoId(), "Should not land")),
            Snapshot(newer, fetchedAt, (kept, "Stale word")),
            Snapshot(claimant, fetchedAt, (owned, "Claimed")),
        ];

        IReadOnlyList<ChannelWrite> outcomes;
        await using (var scope = worker.Services.CreateAsyncScope())
        {
            outcomes = await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteFetchedAsync(batch, CancellationToken.None);
        }

        Assert.Equal(new ChannelWrite.Applied(2, Created: false), outcomes[0]); // applied after the older one created the row
        Assert.Equal(new ChannelWrite.Applied(1, Created: true), outcomes[1]);
        Assert.IsType<ChannelWrite.ChannelDeleted>(outcomes[2]);
        Assert.Equal(new ChannelWrite.Applied(0, Created: false), outcomes[3]);
        Assert.Equal(new ChannelWrite.Applied(0, Created: true), outcomes[4]);

        Assert.Equal("Renamed", await fixture.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", renamed));
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", twice));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", deleted));
        Assert.NotNull(await fixture.Database.ScalarAsync<DateTime?>("SELECT deleted_at FROM channels WHERE id = $1", deleted));
        Assert.Equal("Newest word", await fixture.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", kept));
        Assert.Equal(owner, await fixture.Database.ScalarAsync<string>("SELECT channel_id FROM videos WHERE video_id = $1", owned));
        // The stale entry is gone: evicted (or already re-warmed from PostgreSQL by the Worker's refresh, since the
        // channel was just read), never left saying "no videos".
        var entry = await redis.StringGetAsync(CacheKeys.LatestVideos(twice));
        Assert.True(entry.IsNull || (LatestVideosEntry.TryDecode(((ReadOnlyMemory<byte>)entry).Span, out var cached, out _)
            && cached.Any(video => video.VideoTitle.Contains(renamed, StringComparison.Ordinal))), "stale cache entry");

        // The same batch again changes nothing (idempotent).
        await using (var scope = worker.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteFetchedAsync(batch, CancellationToken.None);
            Assert.All(again.OfType<ChannelWrite.Applied>(), applied => Assert.Equal(new ChannelWrite.Applied(0, false), applied));
        }
    }

    [Fact]
    public async Task An_entry_postgresql_refuses_is_dead_lettered_and_the_rest_of_its_batch_is_persisted()
    {
        using var worker = await WorkerAsync();
        var redis = fixture.Redis.GetDatabase();
        var handoff = new SnapshotHandoff(fixture.Redis, TimeProvider.System);
        var good = Enumerable.Range(0, 3).Select(_ => Snapshot(TestCatalog.NewChannelId(), DateTimeOffset.UtcNow, (TestCatalog.NewVideoId(), "Fine"))).ToList();
        // A NUL character: valid JSON and a valid .NET string, refused by PostgreSQL's text type.
        var refused = Snapshot(TestCatalog.NewChannelId(), DateTimeOffset.UtcNow, (TestCatalog.NewVideoId(), "Nul\0title"));

        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        string refusedId;
        try
        {
            await handoff.EnsureConsumerGroupAsync();
            foreach (var snapshot in good.Take(2))
            {
                await handoff.PublishAsync(snapshot);
            }

            refusedId = await handoff.PublishAsync(refused);
            await handoff.PublishAsync(good[2]);
            await using var scope = worker.Services.CreateAsyncScope();
            await ActivatorUtilities.CreateInstance<PersistHandoffJob>(scope.ServiceProvider).Execute(null!, CancellationToken.None);
        }
        finally
        {
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        foreach (var snapshot in good)
        {
            Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", snapshot.ChannelId));
        }

        var dead = await redis.StreamRangeAsync(SnapshotHandoff.DeadLetterKey, messageOrder: Order.Descending, count: 50);
        var letter = Assert.Single(dead, e => (string?)e["dead_lettered_from"] == refusedId);
        Assert.StartsWith("cannot be persisted", (string?)letter["reason"]);
    }

    [Fact]
    public async Task A_new_upload_in_a_batch_makes_the_kinds_read_before_it_stale()
    {
        using var worker = await WorkerAsync();
        // Two stored channels with a kind read a minute ago; a refresh finds a new upload on one of them only.
        var (uploaded, known) = (TestCatalog.NewChannelId(), TestCatalog.NewChannelId());
        var (first, second) = (TestCatalog.NewVideoId(), TestCatalog.NewVideoId());
        foreach (var (channelId, videoId) in new[] { (uploaded, first), (known, second) })
        {
            await fixture.Database.AddChannelAsync(channelId);
            await fixture.Database.ExecuteAsync(
                "INSERT INTO videos (video_id, channel_id, title, published_at, kind) VALUES ($1, $2, 'Kept', $3, 'shorts')", videoId, channelId, Day);
            await fixture.Database.ExecuteAsync(
                "INSERT INTO channel_kinds (channel_id, kind, fetched_at) VALUES ($1, 'shorts', now() - interval '1 minute')", channelId);
        }

        await using var scope = worker.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteFetchedAsync([
            Snapshot(uploaded, DateTimeOffset.UtcNow, (first, "Kept"), (TestCatalog.NewVideoId(), "New upload")),
            Snapshot(known, DateTimeOffset.UtcNow, (second, "Retitled")),
        ], CancellationToken.None);

        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", uploaded));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", known));
        // A write that does not know a video's kind keeps the one stored.
        Assert.Equal("shorts", await fixture.Database.ScalarAsync<string>("SELECT kind FROM videos WHERE video_id = $1", second));
    }

    [Fact]
    public async Task Kinds_are_recorded_whatever_order_their_snapshots_arrive_in()
    {
        using var worker = await WorkerAsync();
        var channelId = TestCatalog.NewChannelId();
        var (longForm, shortForm, upload) = (TestCatalog.NewVideoId(), TestCatalog.NewVideoId(), TestCatalog.NewVideoId());
        var read = DateTimeOffset.UtcNow.AddMinutes(-1);
        // Two kinds of a new channel fetched at once, each with its uploads; the later fetch (Shorts) also saw a new
        // upload published after the earlier one read its playlist. The later one is written first.
        FetchedVideo Long(VideoKind? kind = null) => new(longForm, "Long", read.AddHours(-2), kind);
        FetchedVideo Short(VideoKind? kind = null) => new(shortForm, "Short", read.AddHours(-1), kind);
        var shorts = new ChannelSnapshot(channelId, "Kinds", [Long(), Short(VideoKind.Shorts), new FetchedVideo(upload, "New", read.AddSeconds(30))],
            "test", read.AddSeconds(40), Playlists: [VideoKind.All, VideoKind.Shorts]);
        var videos = new ChannelSnapshot(channelId, "Kinds", [Long(VideoKind.Videos), Short()], "test", read,
            Playlists: [VideoKind.All, VideoKind.Videos]);

        await using var scope = worker.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<ChannelWriter>();
        await writer.WriteAsync(shorts, WriteOrigin.YouTube, CancellationToken.None);
        await writer.WriteAsync(videos, WriteOrigin.YouTube, CancellationToken.None);

        // The older snapshot still tells the long-form video's kind; it does not claim the long-form videos are read,
        // since an upload of unknown kind published after its read is stored.
        Assert.Equal("videos", await fixture.Database.ScalarAsync<string>("SELECT kind FROM videos WHERE video_id = $1", longForm));
        Assert.Equal("shorts", await fixture.Database.ScalarAsync<string>("SELECT kind FROM videos WHERE video_id = $1", shortForm));
        Assert.Equal("shorts", await fixture.Database.ScalarAsync<string>(
            "SELECT string_agg(kind, ',' ORDER BY kind) FROM channel_kinds WHERE channel_id = $1", channelId));
    }

    private static ChannelSnapshot Snapshot(string channelId, DateTimeOffset fetchedAt, params (string Id, string Title)[] videos) =>
        new(channelId, "Batch", [.. videos.Select((v, i) => new FetchedVideo(v.Id, v.Title, Day.AddHours(i)))], "test", fetchedAt);

    private async Task<IHost> WorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = await fixture.ConnectionStringAsync(ResourceNames.Cache),
            ["ConnectionStrings:videosdb"] = await fixture.ConnectionStringAsync(ResourceNames.Database),
            ["Worker:ConsumerName"] = "batch-test-" + Guid.NewGuid().ToString("N")[..8],
        });
        builder.AddWorkerServices();
        return builder.Build();
    }
}
