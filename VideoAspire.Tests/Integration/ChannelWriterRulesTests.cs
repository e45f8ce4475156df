using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Data;
using VideoAspire.Redis.Caching;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>The one writer's rules, against a real PostgreSQL (and the real Redis it evicts), without the AppHost.</summary>
[Collection(StoresCollection.Name)]
public sealed class ChannelWriterRulesTests(StoresFixture stores)
{
    private static readonly DateTimeOffset Published = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_newer_write_wins_and_an_older_one_only_adds_what_is_new()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        var now = DateTimeOffset.UtcNow;
        await WriteAsync(Snapshot(channelId, now, "Corrected channel", new FetchedVideo(videoId, "Corrected", Published)), WriteOrigin.Api);

        var newVideo = TestCatalog.NewVideoId();
        var late = await WriteAsync(Snapshot(channelId, now.AddMinutes(-1), "Old channel",
            new FetchedVideo(videoId, "Old", Published), new FetchedVideo(newVideo, "Fetched", Published.AddDays(-1))));

        Assert.Equal(new ChannelWrite.Applied(1, Created: false), late);
        Assert.Equal("Corrected", await TitleOfAsync(videoId));
        Assert.Equal("Fetched", await TitleOfAsync(newVideo));
        Assert.Equal("Corrected channel", await stores.Database.ScalarAsync<string>("SELECT title FROM channels WHERE id = $1", channelId));
    }

    [Fact]
    public async Task An_api_write_is_timed_by_the_database_so_a_pod_clock_behind_does_not_make_it_lose()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow, "Channel", new FetchedVideo(videoId, "Fetched", Published)));

        // The Api's pod clock is an hour behind: the snapshot it builds says so, and the write still applies.
        var put = await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow.AddHours(-1), "Channel", new FetchedVideo(videoId, "Corrected", Published)),
            WriteOrigin.Api);

        Assert.Equal(new ChannelWrite.Applied(1, Created: false), put);
        Assert.Equal("Corrected", await TitleOfAsync(videoId));
    }

    [Fact]
    public async Task The_same_snapshot_twice_changes_nothing_the_second_time()
    {
        var snapshot = Snapshot(TestCatalog.NewChannelId(), DateTimeOffset.UtcNow, "Channel",
            new FetchedVideo(TestCatalog.NewVideoId(), "One", Published), new FetchedVideo(TestCatalog.NewVideoId(), "Two", Published.AddHours(1)));

        Assert.Equal(new ChannelWrite.Applied(2, Created: true), await WriteAsync(snapshot));
        Assert.Equal(new ChannelWrite.Applied(0, Created: false), await WriteAsync(snapshot));
    }

    [Fact]
    public async Task A_deleted_channel_comes_back_only_by_an_explicit_api_write()
    {
        var channelId = TestCatalog.NewChannelId();
        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow, "Channel", new FetchedVideo(TestCatalog.NewVideoId(), "Stored", Published)));
        Assert.True(await DeleteAsync(channelId));
        Assert.False(await DeleteAsync(channelId)); // already deleted

        var late = Snapshot(channelId, DateTimeOffset.UtcNow.AddSeconds(1), "Late", new FetchedVideo(TestCatalog.NewVideoId(), "Late", Published));
        Assert.IsType<ChannelWrite.ChannelDeleted>(await WriteAsync(late));
        Assert.IsType<ChannelWrite.ChannelDeleted>((await WriteFetchedAsync(late)).Single());
        Assert.Equal(0, await VideoCountAsync(channelId));

        Assert.IsType<ChannelWrite.Applied>(await WriteAsync(late, WriteOrigin.Api));
        Assert.Equal(1, await VideoCountAsync(channelId));
        Assert.Null(await stores.Database.ScalarAsync<DateTime?>("SELECT deleted_at FROM channels WHERE id = $1", channelId));
    }

    [Fact]
    public async Task A_video_never_moves_to_another_channel()
    {
        var owner = TestCatalog.NewChannelId();
        var other = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        await WriteAsync(Snapshot(owner, DateTimeOffset.UtcNow, "Owner", new FetchedVideo(videoId, "Mine", Published)));

        var claim = Snapshot(other, DateTimeOffset.UtcNow.AddSeconds(1), "Other", new FetchedVideo(videoId, "Yours?", Published));
        Assert.Equal(new[] { videoId }, Assert.IsType<ChannelWrite.VideosOfAnotherChannel>(await WriteAsync(claim, WriteOrigin.Api)).VideoIds);
        await WriteAsync(claim); // from YouTube: written for the channel, but the video stays where it is

        Assert.Equal(owner, await stores.Database.ScalarAsync<string>("SELECT channel_id FROM videos WHERE video_id = $1", videoId));
        Assert.Equal("Mine", await TitleOfAsync(videoId));
    }

    [Fact]
    public async Task A_deleted_video_is_not_brought_back_by_an_older_snapshot_only_by_a_newer_one()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        var fetched = DateTimeOffset.UtcNow.AddMinutes(-10);
        await WriteAsync(Snapshot(channelId, fetched, "Channel", new FetchedVideo(videoId, "Soon gone", Published)));

        var deletion = new ChannelSnapshot(channelId, null, [], ChannelSnapshot.WebSubSource, fetched.AddMinutes(5), RemovedVideoIds: [videoId]);
        Assert.Equal(new ChannelWrite.Applied(1, Created: false), await WriteAsync(deletion));
        Assert.Equal(0, await VideoCountAsync(channelId));

        await WriteAsync(Snapshot(channelId, fetched.AddMinutes(1), "Channel", new FetchedVideo(videoId, "Soon gone", Published)));
        Assert.Equal(0, await VideoCountAsync(channelId));

        await WriteAsync(Snapshot(channelId, fetched.AddMinutes(6), "Channel", new FetchedVideo(videoId, "Back", Published)));
        Assert.Equal("Back", await TitleOfAsync(videoId));
    }

    [Fact]
    public async Task A_batch_write_follows_the_single_write_rules()
    {
        var now = DateTimeOffset.UtcNow;
        var corrected = TestCatalog.NewChannelId();
        var correctedVideo = TestCatalog.NewVideoId();
        await WriteAsync(Snapshot(corrected, now, "Corrected", new FetchedVideo(correctedVideo, "Corrected", Published)), WriteOrigin.Api);
        var deleted = TestCatalog.NewChannelId();
        await WriteAsync(Snapshot(deleted, now, "Deleted"));
        await DeleteAsync(deleted);
        var fresh = TestCatalog.NewChannelId();

        var outcomes = await WriteFetchedAsync(
            Snapshot(corrected, now.AddMinutes(-1), "Old", new FetchedVideo(correctedVideo, "Old", Published)),
            Snapshot(deleted, now.AddSeconds(1), "Late", new FetchedVideo(TestCatalog.NewVideoId(), "Late", Published)),
            Snapshot(fresh, now, "Fresh", new FetchedVideo(TestCatalog.NewVideoId(), "New", Published)),
            Snapshot(fresh, now.AddSeconds(1), "Fresh", new FetchedVideo(TestCatalog.NewVideoId(), "Newer", Published.AddDays(1))));

        Assert.Equal(new ChannelWrite.Applied(0, Created: false), outcomes[0]);
        Assert.IsType<ChannelWrite.ChannelDeleted>(outcomes[1]);
        Assert.Equal(new ChannelWrite.Applied(1, Created: true), outcomes[2]);
        Assert.Equal(new ChannelWrite.Applied(1, Created: false), outcomes[3]);
        Assert.Equal("Corrected", await TitleOfAsync(correctedVideo));
        Assert.Equal(0, await VideoCountAsync(deleted));
        Assert.Equal(2, await VideoCountAsync(fresh));
    }

    [Fact]
    public async Task A_new_upload_of_unknown_kind_makes_the_kinds_read_before_it_stale()
    {
        var channelId = TestCatalog.NewChannelId();
        var fetched = DateTimeOffset.UtcNow.AddMinutes(-5);
        var shortsRead = Snapshot(channelId, fetched, "Channel", new FetchedVideo(TestCatalog.NewVideoId(), "A short", Published, VideoKind.Shorts))
            with
        { Playlists = [VideoKind.All, VideoKind.Shorts] };
        await WriteAsync(shortsRead);
        Assert.Equal("shorts", await stores.Database.ScalarAsync<string>("SELECT kind FROM channel_kinds WHERE channel_id = $1", channelId));

        // The same video seen again later changes nothing; a new upload (kind unknown) does.
        await WriteAsync(Snapshot(channelId, fetched.AddMinutes(1), "Channel", shortsRead.Videos[0] with { Kind = null }));
        Assert.Equal(1, await stores.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", channelId));
        await WriteAsync(Snapshot(channelId, fetched.AddMinutes(2), "Channel", new FetchedVideo(TestCatalog.NewVideoId(), "New upload", Published.AddDays(1))));
        Assert.Equal(0, await stores.Database.ScalarAsync<long>("SELECT count(*) FROM channel_kinds WHERE channel_id = $1", channelId));
        Assert.Equal("shorts", await stores.Database.ScalarAsync<string>(
            "SELECT kind FROM videos WHERE channel_id = $1 AND title = 'A short'", channelId)); // a video's kind stays
    }

    [Fact]
    public async Task A_write_evicts_the_cached_answer_and_a_delete_keeps_fills_out()
    {
        var cache = stores.Services.Services.GetRequiredService<ChannelCache>();
        var redis = stores.Redis.GetDatabase();
        var channelId = TestCatalog.NewChannelId();
        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow, "Channel", new FetchedVideo(TestCatalog.NewVideoId(), "First", Published)));
        await cache.FillAsync(await cache.LookupAsync(channelId), [LatestVideo.Create(TestCatalog.NewVideoId(), "Cached", Published)], fromReplica: false);

        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow, "Channel", new FetchedVideo(TestCatalog.NewVideoId(), "Second", Published)));
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        var readBeforeTheDelete = await cache.LookupAsync(channelId);
        await DeleteAsync(channelId);
        Assert.True(await redis.KeyExistsAsync(CacheKeys.DeletedChannel(channelId)));
        await cache.FillAsync(readBeforeTheDelete, [LatestVideo.Create(TestCatalog.NewVideoId(), "Read before the delete", Published)], fromReplica: false);
        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));

        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow, "Back"), WriteOrigin.Api);
        Assert.False(await redis.KeyExistsAsync(CacheKeys.DeletedChannel(channelId)));
    }

    private static ChannelSnapshot Snapshot(string channelId, DateTimeOffset fetchedAt, string? title, params FetchedVideo[] videos) =>
        new(channelId, title, videos, "data-api", fetchedAt);

    private async Task<ChannelWrite> WriteAsync(ChannelSnapshot snapshot, WriteOrigin origin = WriteOrigin.YouTube)
    {
        await using var scope = stores.Services.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteAsync(snapshot, origin, CancellationToken.None);
    }

    private async Task<IReadOnlyList<ChannelWrite>> WriteFetchedAsync(params ChannelSnapshot[] snapshots)
    {
        await using var scope = stores.Services.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteFetchedAsync(snapshots, CancellationToken.None);
    }

    private async Task<bool> DeleteAsync(string channelId)
    {
        await using var scope = stores.Services.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChannelWriter>().DeleteAsync(channelId, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    private Task<string?> TitleOfAsync(string videoId) =>
        stores.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", videoId);

    private async Task<long> VideoCountAsync(string channelId) =>
        await stores.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId);
}
