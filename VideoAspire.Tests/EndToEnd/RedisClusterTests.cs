using StackExchange.Redis;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The whole product (two Api and two Worker replicas) on a real three-master Redis Cluster: every multi-key command
/// and script must keep its keys in one slot, or the cluster refuses it (CROSSSLOT) and the path degrades.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTests(RedisClusterFixture fixture) : IDisposable
{
    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    [Fact]
    public async Task The_redis_connection_is_a_cluster_of_three_masters()
    {
        var masters = fixture.Redis.GetServers().Where(server => server.IsConnected && !server.IsReplica).ToList();
        Assert.Equal(3, masters.Count);
        Assert.All(masters, server => Assert.Equal(ServerType.Cluster, server.ServerType));
        Assert.Equal(3, (await masters[0].ClusterNodesAsync())!.Nodes.Count);
    }

    [Fact]
    public void A_channels_keys_share_a_slot_and_the_hand_off_keys_share_the_streams()
    {
        var channelId = TestCatalog.NewChannelId();
        var slot = fixture.Redis.HashSlot(CacheKeys.LatestVideos(channelId));
        Assert.All([CacheKeys.UnknownChannel(channelId), CacheKeys.DeletedChannel(channelId), CacheKeys.FetchLock(channelId)],
            key => Assert.Equal(slot, fixture.Redis.HashSlot(key)));

        var stream = fixture.Redis.HashSlot(SnapshotHandoff.StreamKey);
        Assert.Equal(stream, fixture.Redis.HashSlot(SnapshotHandoff.DeadLetterKey));
        Assert.Equal(stream, fixture.Redis.HashSlot(SnapshotHandoff.DeliveriesKey));
    }

    [Fact]
    public async Task A_cold_channel_is_fetched_handed_off_persisted_cached_evicted_and_deleted_on_the_cluster()
    {
        var channelId = TestCatalog.NewChannelId();
        var upload = TestCatalog.NewVideoId();
        fixture.YouTube.AddChannel(channelId).Videos.Add(new FakeVideo(upload, "Uploaded", DateTimeOffset.UtcNow.AddHours(-1)));
        var redis = fixture.Redis.GetDatabase();

        // Cold: fetched from YouTube, answered at once, handed off through the stream, persisted by a Worker.
        Assert.Equal(upload, await NewestVideoIdAsync(channelId));
        await TestCatalog.EventuallyAsync(async () => await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM videos WHERE channel_id = $1 AND video_id = $2", channelId, upload) == 1,
            TimeSpan.FromSeconds(30), "a Worker has persisted the handed-off videos");
        await TestCatalog.EventuallyAsync(async () => (await redis.StreamPendingAsync(SnapshotHandoff.StreamKey, SnapshotHandoff.ConsumerGroup)).PendingMessageCount == 0,
            TimeSpan.FromSeconds(30), "the persisted entry is acknowledged (the completing transaction ran in the stream's slot)");

        // Hot: read again through both replicas (output cache filled), then a newer upload written through the Api
        // evicts by tag and every replica answers with it.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(upload, await NewestVideoIdAsync(channelId));
        }

        Assert.True(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)), "the read path re-filled the entry the write dropped");

        var newer = TestCatalog.NewVideoId();
        using (var put = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos",
                   new { videos = new[] { new { video_id = newer, video_title = "Newer", published_at = DateTimeOffset.UtcNow.ToString("O") } } }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // A cluster carries the eviction notice to the other replica over its bus, after PUBLISH has returned: the other
        // replica hears of the write within milliseconds, not before the write's answer (as on one Redis). Then every
        // read, on both replicas, has the new upload.
        await TestCatalog.EventuallyAsync(async () => await NewestVideoIdAsync(channelId) == newer && await NewestVideoIdAsync(channelId) == newer,
            TimeSpan.FromSeconds(5), "both replicas answer with the write");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(newer, await NewestVideoIdAsync(channelId));
        }

        // Deleted: the cache entries go (one multi-key DEL) and the tombstone that keeps a late fetch out is set.
        using (var delete = await _writer.DeleteAsync($"/channels/{channelId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False(await redis.KeyExistsAsync(CacheKeys.LatestVideos(channelId)));
        Assert.True(await redis.KeyExistsAsync(CacheKeys.DeletedChannel(channelId)));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
    }

    [Fact]
    public async Task An_unknown_channel_is_remembered_on_the_cluster()
    {
        var channelId = TestCatalog.NewChannelId();
        using (var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}&wait=true")) // not a 202 if a cold start is slow
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.True(await fixture.Redis.GetDatabase().KeyExistsAsync(CacheKeys.UnknownChannel(channelId)));
        var lookups = fixture.YouTube.Calls("feed", channelId) + fixture.YouTube.Calls("channels", channelId);
        using (var again = await fixture.Api.GetAsync($"/videos?channel_id={channelId}&wait=true"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        Assert.Equal(lookups, fixture.YouTube.Calls("feed", channelId) + fixture.YouTube.Calls("channels", channelId));
    }

    private async Task<string?> NewestVideoIdAsync(string channelId) =>
        (await fixture.ReadVideosAsync($"/videos?channel_id={channelId}&wait=true", channelId))[0].GetProperty("video_id").GetString();
}
