using Polly;
using Polly.Timeout;
using VideoAspire.YouTube;

namespace VideoAspire.Tests.Unit;

/// <summary>Which failed YouTube calls may open the breaker that protects the whole upstream.</summary>
public sealed class UpstreamFailureFilterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Fact]
    public void One_channel_failing_again_and_again_counts_once_per_window()
    {
        var filter = new UpstreamFailureFilter(TimeProvider.System);
        var counted = Enumerable.Range(0, 50).Count(_ => filter.CountsAgainstUpstream(Status(503, "UC0032Wkd3aCT4rRi1YOVc2d"), Window));

        Assert.Equal(1, counted);
    }

    [Fact]
    public void The_same_error_across_many_channels_counts_every_time()
    {
        var filter = new UpstreamFailureFilter(TimeProvider.System);
        var counted = Enumerable.Range(0, 50).Count(i => filter.CountsAgainstUpstream(Status(503, $"UC{i:D22}"), Window));

        Assert.Equal(50, counted);
    }

    [Fact]
    public void Transport_failures_and_timeouts_always_count_and_answers_that_are_about_the_channel_never()
    {
        var filter = new UpstreamFailureFilter(TimeProvider.System);

        Assert.True(filter.CountsAgainstUpstream(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused")), Window));
        Assert.True(filter.CountsAgainstUpstream(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), Window));
        Assert.False(filter.CountsAgainstUpstream(Status(404, "UC0032Wkd3aCT4rRi1YOVc2d"), Window));
        Assert.False(filter.CountsAgainstUpstream(Status(200, "UC0032Wkd3aCT4rRi1YOVc2d"), Window));
    }

    [Theory]
    [InlineData("https://www.googleapis.com/youtube/v3/channels?part=snippet&id=UC0032Wkd3aCT4rRi1YOVc2d&key=k", "UC0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("https://www.googleapis.com/youtube/v3/playlistItems?playlistId=UU0032Wkd3aCT4rRi1YOVc2d&maxResults=50", "UC0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("https://www.youtube.com/feeds/videos.xml?channel_id=UC0032Wkd3aCT4rRi1YOVc2d", "UC0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("https://www.youtube.com/feeds/videos.xml?channel_id=nonsense", null)]
    public void The_channel_is_read_from_each_kind_of_request(string uri, string? channel) =>
        Assert.Equal(channel, UpstreamFailureFilter.ChannelOf(new Uri(uri)));

    private static Outcome<HttpResponseMessage> Status(int status, string channelId) =>
        Outcome.FromResult(new HttpResponseMessage((System.Net.HttpStatusCode)status)
        {
            RequestMessage = new HttpRequestMessage(HttpMethod.Get, $"https://www.youtube.com/feeds/videos.xml?channel_id={channelId}"),
        });
}
