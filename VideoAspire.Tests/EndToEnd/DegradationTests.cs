using System.Text.Json;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>Dependencies fail; callers still get answers.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DegradationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Redis_down_is_served_from_postgres()
    {
        var warmChannel = TestCatalog.NewChannelId();   // read before the outage: in Redis and the output cache
        var coldChannel = TestCatalog.NewChannelId();   // never read before
        foreach (var channelId in new[] { warmChannel, coldChannel })
        {
            await fixture.Database.AddChannelAsync(channelId);
            await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Still here", DateTimeOffset.UtcNow.AddDays(-1));
        }

        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.GetAsync($"/videos?channel_id={warmChannel}")).StatusCode);

        await using (await fixture.StopRedisAsync())
        {
            foreach (var channelId in new[] { warmChannel, coldChannel })
            {
                using var response = await fixture.Api.GetAsync($"/videos?channel_id={channelId}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal("Still here", body.RootElement.GetProperty(channelId)[0].GetProperty("video_title").GetString());
            }

            using var unknown = await fixture.Api.GetAsync($"/videos?channel_id={TestCatalog.NewChannelId()}&wait=true");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }
}
