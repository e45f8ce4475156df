using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Tests.Unit;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// Reads by handle or pasted URL through the whole AppHost (two Api replicas behind the proxy): answered under the
/// normalised key, with the channel each resolved to, cached and evicted like reads by id.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class HandleReadTests(AppHostFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "ingest"));

    public void Dispose() => _writer.Dispose();

    /// <summary>A channel YouTube knows under a new handle, stored with one video.</summary>
    private async Task<FakeChannel> HandledChannelAsync(string title)
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId(), "Handled");
        channel.Handle = $"Handle{Guid.NewGuid():N}"[..20];
        await PutVideoAsync(channel.Id, title, Day);
        return channel;
    }

    [Fact]
    public async Task A_read_by_handle_or_url_answers_under_the_normalised_key_and_says_which_channel()
    {
        var channel = await HandledChannelAsync("By handle");
        var key = "@" + channel.Handle!.ToLowerInvariant();

        foreach (var query in new[] { $"handle={channel.Handle.ToUpperInvariant()}", $"handle=@{channel.Handle}",
                     $"channel={Uri.EscapeDataString($"https://www.youtube.com/@{channel.Handle}/videos?view=0")}" })
        {
            using var response = await fixture.Api.GetAsync($"/videos?{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"{key}={channel.Id}", Assert.Single(response.Headers.GetValues("Resolved-Channels")));
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("By handle", body.RootElement.GetProperty(key)[0].GetProperty("video_title").GetString());
        }

        Assert.Equal(1, fixture.YouTube.Calls("channels:forHandle", key));
    }

    [Fact]
    public async Task A_batch_mixes_ids_handles_and_urls_with_a_kind_and_is_never_the_cached_answer_of_its_id()
    {
        var byHandle = await HandledChannelAsync("Handle's");
        var byId = TestCatalog.NewChannelId();
        await PutVideoAsync(byId, "Id's", Day);
        var unknown = $"Unknown{Guid.NewGuid():N}"[..20];
        for (var i = 0; i < 6; i++) // the id alone, read until every replica holds its answer in memory
        {
            using var alone = await fixture.Api.GetAsync($"/videos?channel_id={byId}&kind=all");
            Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
        }

        using var response = await fixture.Api.GetAsync(
            $"/videos?channel_id={byId}&handle={byHandle.Handle}&channel={Uri.EscapeDataString($"youtube.com/@{unknown}")}&kind=all");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Id's", body.RootElement.GetProperty(byId)[0].GetProperty("video_title").GetString());
        Assert.Equal("Handle's", body.RootElement.GetProperty("@" + byHandle.Handle!.ToLowerInvariant())[0].GetProperty("video_title").GetString());
        Assert.Equal(404, body.RootElement.GetProperty("@" + unknown.ToLowerInvariant()).GetProperty("status").GetInt32());
        Assert.Equal($"@{byHandle.Handle.ToLowerInvariant()}={byHandle.Id}", Assert.Single(response.Headers.GetValues("Resolved-Channels")));
    }

    [Fact]
    public async Task Resolve_names_the_channel_or_answers_404()
    {
        var channel = await HandledChannelAsync("Resolved");

        var found = await fixture.Api.GetFromJsonAsync<JsonElement>($"/channels/resolve?channel={Uri.EscapeDataString($"https://m.youtube.com/@{channel.Handle}")}");
        using var missing = await fixture.Api.GetAsync($"/channels/resolve?handle=Nobody{Guid.NewGuid():N}"[..47]);

        Assert.Equal(channel.Id, found.GetProperty("channel_id").GetString());
        Assert.Equal("@" + channel.Handle!.ToLowerInvariant(), found.GetProperty("handle").GetString());
        Assert.Equal("Handled", found.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_write_to_the_channel_evicts_the_answer_cached_for_its_handle()
    {
        var channel = await HandledChannelAsync("Old news");
        for (var i = 0; i < 6; i++) // over both replicas: the second read of each is kept in its memory
        {
            Assert.Equal("Old news", await NewestTitleByHandleAsync(channel));
        }

        await PutVideoAsync(channel.Id, "Breaking", Day.AddDays(1));

        await TestCatalog.EventuallyAsync(async () =>
        {
            var titles = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => NewestTitleByHandleAsync(channel)));
            return titles.All(title => title == "Breaking");
        }, TimeSpan.FromSeconds(2), "every replica drops the handle's cached answer");
    }

    [Fact]
    public async Task Twenty_concurrent_first_reads_of_one_handle_on_two_replicas_resolve_it_once()
    {
        var channel = await HandledChannelAsync("Popular");
        var readers = fixture.ReplicaAddresses("VideoAspire.Api")
            .Select(address => AppHostFixture.CreateReplicaClient(address, TestTokens.Create(Scopes.VideosRead, subject: "handle-reader")))
            .ToList();
        try
        {
            Assert.Equal(2, readers.Count);
            var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                using var response = await readers[i % 2].GetAsync($"/videos?handle={channel.Handle}");
                return response.StatusCode;
            }));

            Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(1, fixture.YouTube.Calls("channels:forHandle", "@" + channel.Handle!.ToLowerInvariant()));
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }
    }

    [Fact]
    public async Task Two_hundred_malformed_inputs_are_400s_and_never_reach_youtube()
    {
        int UpstreamResolutions() => fixture.YouTube.Calls("channels:forHandle") + fixture.YouTube.Calls("channels:forUsername") + fixture.YouTube.Calls("page");
        var before = UpstreamResolutions();
        var inputs = ChannelReferenceTests.Malformed().Select(input => input ?? "").ToList();
        // As a handle= value, all but the few that are handles without their "@" ("mkbhd").
        var requests = inputs.Select(input => $"/videos?channel={Uri.EscapeDataString(input)}")
            .Concat(inputs.Where(input => !ChannelReference.TryParseHandle(input, out _)).Select(input => $"/videos?handle={Uri.EscapeDataString(input)}"))
            .Concat(inputs.Take(20).Select(input => $"/channels/resolve?channel={Uri.EscapeDataString(input)}"))
            .ToList();

        foreach (var request in requests)
        {
            using var response = await GetWithinRateLimitAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{request}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadAsStringAsync();
            Assert.True(problem.Contains("Accepted:", StringComparison.Ordinal) || problem.Contains("is empty", StringComparison.Ordinal), problem);
        }

        Assert.True(requests.Count > 400);
        Assert.Equal(before, UpstreamResolutions());
    }

    /// <summary>A GET, sent again after a pause while the caller's rate limit (100 a second here) refuses it.</summary>
    private async Task<HttpResponseMessage> GetWithinRateLimitAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await fixture.Api.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 20)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(500);
        }
    }

    private async Task<string?> NewestTitleByHandleAsync(FakeChannel channel)
    {
        using var response = await fixture.Api.GetAsync($"/videos?handle={channel.Handle}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("@" + channel.Handle!.ToLowerInvariant())[0].GetProperty("video_title").GetString();
    }

    private async Task PutVideoAsync(string channelId, string title, DateTimeOffset publishedAt)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos",
            new { videos = new[] { new { video_id = TestCatalog.NewVideoId(), video_title = title, published_at = publishedAt.ToString("O") } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
