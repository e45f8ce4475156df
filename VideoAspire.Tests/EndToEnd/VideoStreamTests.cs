using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The live stream (<c>GET /videos/stream</c>, Server-Sent Events) through the AppHost: an upload stored through one Api
/// replica reaches a client of the other, and <c>Last-Event-ID</c> resumes without gaps.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class VideoStreamTests(AppHostFixture fixture)
{
    private static readonly DateTimeOffset Day = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_upload_stored_through_one_replica_reaches_a_stream_on_the_other_and_last_event_id_resumes()
    {
        var channelId = TestCatalog.NewChannelId();
        var replicas = fixture.ReplicaAddresses("VideoAspire.Api");
        Assert.Equal(2, replicas.Count);
        using var listener = AppHostFixture.CreateReplicaClient(replicas[0], TestTokens.Create(Scopes.VideosRead, subject: "stream-reader"));
        using var writer = AppHostFixture.CreateReplicaClient(replicas[1], TestTokens.Create(Scopes.VideosWrite, subject: "stream-writer"));
        listener.Timeout = Timeout.InfiniteTimeSpan;

        long firstId;
        await using (var stream = await SseStream.OpenAsync(listener, $"/videos/stream?channel_id={channelId}"))
        {
            await PutAsync(writer, channelId, "Live upload", Day);
            var published = await stream.NextEventAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("video.published", published.Type);
            Assert.Equal("Live upload", published.Data.GetProperty("video_title").GetString());
            Assert.Equal(channelId, published.Data.GetProperty("channel_id").GetString());
            firstId = published.Id;
        }

        // Two more while nobody listens; resuming after the first gets exactly those two, in order.
        await PutAsync(writer, channelId, "Missed one", Day.AddDays(1));
        await PutAsync(writer, channelId, "Missed two", Day.AddDays(2));
        await using (var resumed = await SseStream.OpenAsync(listener, $"/videos/stream?channel_id={channelId}", lastEventId: firstId))
        {
            var one = await resumed.NextEventAsync(TimeSpan.FromSeconds(5));
            var two = await resumed.NextEventAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(["Missed one", "Missed two"], new[] { one, two }.Select(e => e.Data.GetProperty("video_title").GetString()));
            Assert.True(one.Id > firstId && two.Id > one.Id);
            Assert.Null(await resumed.NextEventOrNullAsync(TimeSpan.FromSeconds(1.5))); // keep-alives only after them
            Assert.True(resumed.KeepAlives > 0);
        }
    }

    [Fact]
    public async Task A_caller_gets_a_bounded_number_of_streams_and_bad_input_is_a_400()
    {
        var channelId = TestCatalog.NewChannelId();
        var replica = fixture.ReplicaAddresses("VideoAspire.Api")[0];
        using var client = AppHostFixture.CreateReplicaClient(replica, TestTokens.Create(Scopes.VideosRead, subject: $"greedy-{Guid.NewGuid():N}"));
        client.Timeout = Timeout.InfiniteTimeSpan;

        var open = new List<SseStream>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await SseStream.OpenAsync(client, $"/videos/stream?channel_id={channelId}"));
            }

            using var fourth = await client.GetAsync($"/videos/stream?channel_id={channelId}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }

        using var malformed = await client.GetAsync("/videos/stream?channel=https://evil.example/@x");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var none = await client.GetAsync("/videos/stream");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    private static async Task PutAsync(HttpClient writer, string channelId, string title, DateTimeOffset publishedAt)
    {
        using var response = await writer.PutAsJsonAsync($"/channels/{channelId}/videos",
            new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = title, published_at = publishedAt.ToString("O") } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
