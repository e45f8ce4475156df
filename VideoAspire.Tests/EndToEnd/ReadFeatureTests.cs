using System.Net.Http.Headers;
using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>Conditional reads, batch reads, the asynchronous cold fetch, rate limits and the OpenAPI surface.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class ReadFeatureTests(AppHostFixture fixture)
{
    private const string DemoChannel = "UC0032Wkd3aCT4rRi1YOVc2d";
    private const string OtherDemoChannel = "UC6qq5ZRn_epjgdKwtgmeSd3";

    [Fact]
    public async Task ETag_then_If_None_Match_is_304()
    {
        using var first = await fixture.Api.GetAsync($"/videos?channel_id={DemoChannel}");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={DemoChannel}");
        request.Headers.IfNoneMatch.Add(etag);
        using var conditional = await fixture.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        Assert.Empty(await conditional.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={DemoChannel}");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Api.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task Batch_read_answers_each_id_and_reports_errors_per_id()
    {
        var unknown = TestCatalog.NewChannelId();
        using var response = await fixture.Api.GetAsync(
            $"/videos?channel_id={DemoChannel}&channel_id={OtherDemoChannel}&channel_id={unknown}&wait=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal(3, root.EnumerateObject().Count());
        Assert.Equal(5, root.GetProperty(DemoChannel).GetArrayLength());
        Assert.Equal(5, root.GetProperty(OtherDemoChannel).GetArrayLength());
        Assert.Equal(404, root.GetProperty(unknown).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_batch_with_a_malformed_id_is_a_400_naming_its_position_without_echoing_it()
    {
        var forged = "<script>" + new string('x', 200);
        using var response = await fixture.Api.GetAsync($"/videos?channel_id={DemoChannel}&channel_id={Uri.EscapeDataString(forged)}&wait=not-a-bool-q7x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", text);
        Assert.DoesNotContain("not-a-bool-q7x", text); // distinctive: a trace id may contain any short string

        using var batch = await fixture.Api.GetAsync($"/videos?channel_id={DemoChannel}&channel_id={Uri.EscapeDataString(forged)}");
        using var problem = JsonDocument.Parse(await batch.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("channel_id[1]", out _));
        Assert.DoesNotContain("<script>", problem.RootElement.GetRawText());
    }

    [Fact]
    public async Task Batch_of_more_than_fifty_ids_is_400()
    {
        var query = string.Join("&", Enumerable.Range(0, 51).Select(_ => "channel_id=" + TestCatalog.NewChannelId()));

        using var response = await fixture.Api.GetAsync("/videos?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Slow_cold_fetch_is_202_then_the_next_request_gets_the_data()
    {
        var channel = AddSlowChannel();

        using var accepted = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("application/problem+json", accepted.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(accepted.Headers.RetryAfter);
        using var status = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        Assert.Equal(202, status.RootElement.GetProperty("status").GetInt32());

        await TestCatalog.EventuallyAsync(async () =>
        {
            using var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}");
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(20), "the background fetch completes and the next read gets the data");
        Assert.Equal(1, fixture.YouTube.Calls("playlistItems", channel.Id, "VideoAspire.Api"));
    }

    [Fact]
    public async Task Wait_true_opts_out_of_202()
    {
        var channel = AddSlowChannel();

        using var response = await fixture.Api.GetAsync($"/videos?channel_id={channel.Id}&wait=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A channel whose Data API answers take longer than the Api's request budget (but within its timeouts).</summary>
    private FakeChannel AddSlowChannel()
    {
        var channel = fixture.YouTube.AddChannel(TestCatalog.NewChannelId());
        channel.Api = ApiMode.Slow;
        channel.Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "Worth the wait", DateTimeOffset.UtcNow.AddDays(-1)));
        return channel;
    }

    [Fact]
    public async Task A_caller_over_its_rate_limit_gets_429_and_health_is_exempt()
    {
        using var greedy = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "greedy-" + Guid.NewGuid()));

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => greedy.GetAsync($"/videos?channel_id={DemoChannel}")));
        var health = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => greedy.GetAsync("/health")));

        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.NotNull(rejected[0].Headers.RetryAfter);
        Assert.Equal("application/problem+json", rejected[0].Content.Headers.ContentType?.MediaType);
        // Exempt: never 429 (300 concurrent readiness probes may still report a check as slow; that is their job).
        Assert.DoesNotContain(health, r => r.StatusCode == HttpStatusCode.TooManyRequests);

        // Another caller is not affected by the greedy one.
        using var other = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "polite"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/videos?channel_id={DemoChannel}")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint_with_the_bearer_scheme()
    {
        using var anonymous = fixture.CreateApiClient();
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        (string Path, string Method, string Scope)[] expected =
        [
            ("/videos", "get", Scopes.VideosRead),
            (paths.TryGetProperty("/video/", out _) ? "/video/" : "/video", "get", Scopes.VideosRead),
            ("/channels/{channelId}", "put", Scopes.VideosWrite),
            ("/channels/{channelId}", "delete", Scopes.VideosWrite),
            ("/channels/{channelId}/videos", "put", Scopes.VideosWrite),
            ("/channels/{channelId}/refresh", "post", Scopes.VideosWrite),
            ("/channels/{channelId}/cache", "delete", Scopes.VideosWrite),
        ];
        foreach (var (path, method, scope) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is documented");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} is documented");
            // An http bearer scheme lists no scopes in the requirement (only oauth2 / openIdConnect may): the description says it.
            Assert.Equal(0, operation.GetProperty("security")[0].GetProperty("Bearer").GetArrayLength());
            Assert.EndsWith($"Requires scope `{scope}`.", operation.GetProperty("description").GetString());
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _) && responses.TryGetProperty("403", out _) && responses.TryGetProperty("429", out _));
        }

        Assert.True(paths.GetProperty("/videos").GetProperty("get").GetProperty("responses").TryGetProperty("503", out _));
        Assert.Equal("bearer", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());

        // /docs opens on the introduction: what the service is, its scopes, how to get a token locally.
        var introduction = document.RootElement.GetProperty("info").GetProperty("description").GetString();
        Assert.Contains("latest five videos", introduction);
        Assert.Contains("dotnet user-jwts create", introduction);
        Assert.Contains(Scopes.MetricsRead, introduction);

        using var docs = await anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_batch_reads_a_few_ids_at_a_time_so_it_cannot_drain_the_database_pool()
    {
        // 50 stored channels, none cached: each id needs the database.
        var ids = Enumerable.Range(0, 50).Select(_ => TestCatalog.NewChannelId()).ToList();
        foreach (var id in ids)
        {
            await fixture.Database.AddChannelAsync(id);
            await fixture.Database.AddVideoAsync(id, TestCatalog.NewVideoId(), "Batch", DateTimeOffset.UtcNow.AddDays(-1));
        }

        // Hold every read of videos while the batch runs (for less than Api:DatabaseBudget, so none of them gives up on
        // PostgreSQL and moves on), and count how many of its reads wait at once.
        await using var blocker = await fixture.Database.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockVideos = new Npgsql.NpgsqlCommand("LOCK TABLE videos IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockVideos.ExecuteNonQueryAsync();
        }

        var batch = fixture.Api.GetAsync("/videos?" + string.Join("&", ids.Select(id => "channel_id=" + id)));
        // Sample until the first reads wait (the request may take a while to arrive on a busy machine), then a little
        // longer: well within the budget, so the reads that waited still answer from PostgreSQL.
        long waiting = 0;
        var samplesAfterFirstWait = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); samplesAfterFirstWait < 6 && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            waiting = Math.Max(waiting, await fixture.Database.ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT video_id, title, published_at FROM videos%'
                """));
            samplesAfterFirstWait += waiting > 0 ? 1 : 0;
        }

        await transaction.RollbackAsync();
        using var response = await batch;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(waiting, 1, 4);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.All(ids, id => Assert.Equal(System.Text.Json.JsonValueKind.Array, body.RootElement.GetProperty(id).ValueKind));
    }
}
