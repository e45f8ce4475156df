using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>JWT bearer authentication, scopes, and their interplay with the output cache.</summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class SecurityTests(AppHostFixture fixture)
{
    private const string DemoChannel = "UC0032Wkd3aCT4rRi1YOVc2d";
    private static readonly string ReadPath = $"/videos?channel_id={DemoChannel}";
    private static readonly string WritePath = $"/channels/{TestCatalog.NewChannelId()}";

    public static TheoryData<string, string> RejectedTokens => new()
    {
        { "expired", TestTokens.Create(Scopes.VideosWrite, expires: DateTime.UtcNow.AddMinutes(-10)) },
        { "wrong signing key", TestTokens.Create(Scopes.VideosWrite, key: new byte[32]) },
        { "wrong audience", TestTokens.Create(Scopes.VideosWrite, audience: "someone-else") },
        { "alg none", TestTokens.Unsigned(Scopes.VideosWrite) },
        // Right key, right claims, an algorithm that is not on the pinned list.
        { "alg HS512 (not pinned)", TestTokens.Create(Scopes.VideosWrite, key: TestTokens.LongSigningKey, algorithm: "HS512", issuer: TestTokens.LongKeyIssuer) },
        { "garbage", "not-a-jwt" },
    };

    [Fact]
    public async Task No_token_is_401_problem_with_www_authenticate()
    {
        using var anonymous = fixture.CreateApiClient();

        using var read = await anonymous.GetAsync(ReadPath);
        using var write = await anonymous.PutAsJsonAsync(WritePath, new { title = "x" });

        foreach (var response in new[] { read, write })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Invalid_tokens_are_401(string why, string token)
    {
        using var client = fixture.CreateApiClient(token);

        using var read = await client.GetAsync(ReadPath);
        using var write = await client.PutAsJsonAsync(WritePath, new { title = "x" });

        Assert.True(read.StatusCode == HttpStatusCode.Unauthorized, $"{why}: read answered {read.StatusCode}");
        Assert.True(write.StatusCode == HttpStatusCode.Unauthorized, $"{why}: write answered {write.StatusCode}");
    }

    [Fact]
    public async Task The_same_key_and_issuer_with_a_pinned_algorithm_is_accepted()
    {
        // The control for "alg HS512 (not pinned)": only the algorithm differs.
        var token = TestTokens.Create(Scopes.VideosRead, key: TestTokens.LongSigningKey, issuer: TestTokens.LongKeyIssuer);
        using var client = fixture.CreateApiClient(token);

        using var response = await client.GetAsync(ReadPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Read_scope_reads_but_cannot_write()
    {
        using var reader = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead));

        using var read = await reader.GetAsync(ReadPath);
        using var write = await reader.PutAsJsonAsync(WritePath, new { title = "x" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
        Assert.Contains(write.Headers.WwwAuthenticate, h => h.Scheme == "Bearer" && h.Parameter!.Contains("insufficient_scope"));
    }

    [Fact]
    public async Task Write_scope_implies_read()
    {
        using var writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite));

        using var read = await writer.GetAsync(ReadPath);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task A_token_without_any_videos_scope_is_403()
    {
        using var client = fixture.CreateApiClient(TestTokens.Create("profile email"));

        using var read = await client.GetAsync(ReadPath);

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    [Fact]
    public async Task Cached_answers_are_never_served_to_callers_who_would_be_refused()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        var path = $"/videos?channel_id={channelId}";
        using var reader = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "alice"));
        using var otherReader = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "bob"));
        using var anonymous = fixture.CreateApiClient();
        using var unscoped = fixture.CreateApiClient(TestTokens.Create("profile"));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode); // now output-cached
        await fixture.Database.ExecuteAsync("DELETE FROM channels WHERE id = $1", channelId);

        // Another authorized caller is served the cached answer (the row is gone: only a cache can answer 200)...
        Assert.Equal(HttpStatusCode.OK, (await otherReader.GetAsync(path)).StatusCode);
        // ...while callers without a valid read token are refused before the cache is consulted.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await unscoped.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Metrics_need_the_metrics_scope()
    {
        using var anonymous = fixture.CreateApiClient();
        using var reader = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead));
        using var scraper = fixture.CreateApiClient(TestTokens.Create(Scopes.MetricsRead, subject: "prometheus"));
        await fixture.Api.GetAsync(ReadPath); // make sure some read-path metrics exist

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/metrics")).StatusCode);

        await TestCatalog.EventuallyAsync(async () =>
        {
            using var response = await scraper.GetAsync("/metrics");
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK
                   && text.Contains("http_server_request_duration_seconds")
                   && text.Contains("videoaspire_");
        }, TimeSpan.FromSeconds(30), "the Prometheus endpoint serves the service's metrics");
    }

    [Fact]
    public async Task A_caller_past_its_cold_lookup_allowance_gets_429_for_new_ids_while_stored_ones_answer()
    {
        // 60 lookups of channels we do not store per minute (the default), counted per id, shared by both replicas.
        using var flooder = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "flooder-" + Guid.NewGuid().ToString("N")));
        string Batch() => "/videos?" + string.Join("&", Enumerable.Range(0, 50).Select(_ => "channel_id=" + TestCatalog.NewChannelId()));

        var first = await StatusesAsync(await flooder.GetAsync(Batch()));
        var second = await StatusesAsync(await flooder.GetAsync(Batch()));

        Assert.DoesNotContain(429, first); // a batch of 50 fits in the allowance...
        Assert.True(second.Count(s => s == 429) >= 35, $"statuses: {string.Join(",", second)}"); // ...two do not: each id counted

        using var single = await flooder.GetAsync($"/videos?channel_id={TestCatalog.NewChannelId()}");
        Assert.Equal(HttpStatusCode.TooManyRequests, single.StatusCode);
        Assert.Equal("application/problem+json", single.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(single.Headers.RetryAfter);

        // Stored channels keep answering for the same caller; other callers are not affected.
        using var stored = await flooder.GetAsync(ReadPath);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        using var other = await fixture.Api.GetAsync($"/videos?channel_id={TestCatalog.NewChannelId()}");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);

        static async Task<List<int>> StatusesAsync(HttpResponseMessage response)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return body.RootElement.EnumerateObject()
                    .Select(entry => entry.Value.ValueKind == System.Text.Json.JsonValueKind.Array ? 200 : entry.Value.GetProperty("status").GetInt32())
                    .ToList();
            }
        }
    }

    [Fact]
    public async Task Health_endpoints_need_no_token()
    {
        using var anonymous = fixture.CreateApiClient();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
    }
}
