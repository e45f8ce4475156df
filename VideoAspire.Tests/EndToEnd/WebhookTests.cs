using System.Net.Sockets;
using System.Text.Json;
using VideoAspire.Api.Security;
using VideoAspire.Data.Webhooks;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// Webhook subscriptions end to end: the Api's subscriptions, the one writer's outbox, the Worker's fan-out and delivery,
/// and real HTTP receivers (<see cref="WebhookReceiver"/>, allow-listed on 127.0.0.2 only).
/// </summary>
[Collection(AppHostCollection.Name)]
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
public sealed class WebhookTests(AppHostFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private static readonly string[] UnknownKinds = ["podcasts"];
    private static readonly string[] NotChannels = ["not-a-channel"];

    private readonly string _subject = "webhooks-" + Guid.NewGuid().ToString("N")[..8];
    private readonly HttpClient _writer = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosWrite, subject: "webhook-ingest"));
    private WebhookReceiver _receiver = null!;
    private HttpClient _owner = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _owner = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosSubscribe, subject: _subject));
    }

    public async Task DisposeAsync()
    {
        _owner.Dispose();
        _writer.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_websub_push_reaches_a_subscribed_receiver_within_5_s_and_its_signature_verifies_with_the_published_secret()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var endpoint = _receiver.Add();
        var (id, secret) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        var video = new FakeVideo(TestCatalog.NewVideoId(), "Pushed upload", DateTimeOffset.UtcNow.AddMinutes(-1));
        var pushed = DateTimeOffset.UtcNow;
        using var push = await fixture.YouTube.Hub.PushVideoAsync(channelId, video, DateTimeOffset.UtcNow);
        Assert.True(push.IsSuccessStatusCode);

        var received = await EventAsync(endpoint, video.VideoId, TimeSpan.FromSeconds(5));
        Assert.True(received.At - pushed < TimeSpan.FromSeconds(5), $"received {(received.At - pushed).TotalSeconds:0.0} s after the push");
        Assert.True(received.VerifiesWith(secret));
        Assert.False(received.VerifiesWith(WebhookSecret.Create()));
        Assert.False((received with { Body = received.Body.Replace("Pushed", "Forged") }).VerifiesWith(secret)); // an altered body
        var json = received.Json;
        Assert.Equal("video.published", json.GetProperty("type").GetString());
        Assert.Equal(channelId, json.GetProperty("data").GetProperty("channel_id").GetString());
        Assert.Equal("Pushed upload", json.GetProperty("data").GetProperty("video_title").GetString());
        Assert.Equal(video.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd"), json.GetProperty("data").GetProperty("upload_date").GetString());
        Assert.StartsWith("msg_", received.Id);
    }

    [Fact]
    public async Task Nothing_but_the_verification_is_sent_until_the_endpoint_echoes_its_challenge()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add(ReceiverMode.NoEcho);
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await TestCatalog.EventuallyAsync(() => Task.FromResult(!endpoint.Received.IsEmpty), Soon, "the verification is sent");

        await WriteVideoAsync(channelId, TestCatalog.NewVideoId(), "Not for an unverified endpoint");
        // The test schedule (1 s, 2 s, 2 s) is spent within about 6 s: the subscription is then disabled.
        await TestCatalog.EventuallyAsync(async () => (await GetAsync(id)).GetProperty("status").GetString() == "disabled",
            TimeSpan.FromSeconds(20), "a subscription whose endpoint never echoes is disabled");

        Assert.All(endpoint.Received, r => Assert.True(r.IsVerification, r.Body));
        Assert.Equal(4, endpoint.Received.Count); // the first attempt and three retries, then no more
        Assert.Contains("challenge", (await GetAsync(id)).GetProperty("disabled_reason").GetString());
    }

    [Fact]
    public async Task A_rolled_back_write_sends_nothing()
    {
        var channelId = await StoredChannelAsync();
        var other = await StoredChannelAsync();
        var taken = TestCatalog.NewVideoId();
        await fixture.Database.AddVideoAsync(other, taken, "Another channel's", DateTimeOffset.UtcNow.AddDays(-1));
        var endpoint = _receiver.Add();
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        // One transaction: the new video and one stored under another channel; the 409 rolls both back.
        var rolledBack = TestCatalog.NewVideoId();
        using var refused = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new
        {
            videos = new[]
            {
                new { video_id = rolledBack, video_title = "Rolled back", published_at = DateTimeOffset.UtcNow.AddMinutes(-5) },
                new { video_id = taken, video_title = "Conflict", published_at = DateTimeOffset.UtcNow.AddMinutes(-4) },
            },
        });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var committed = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, committed, "Committed after");

        await EventAsync(endpoint, committed, Soon);
        Assert.DoesNotContain(endpoint.Events, e => e.Body.Contains(rolledBack, StringComparison.Ordinal));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM video_events WHERE video_id = $1", rolledBack));
    }

    [Fact]
    public async Task A_receiver_failing_then_recovering_is_retried_on_the_published_schedule_with_the_same_webhook_id()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add(ReceiverMode.FailThenRecover);
        endpoint.FailuresLeft = 2;
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        var videoId = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, videoId, "Retried");
        await TestCatalog.EventuallyAsync(() => Task.FromResult(endpoint.Events.Count >= 3), Soon, "two failures and the success");

        var attempts = endpoint.Events;
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Id).Distinct()); // one webhook-id for every attempt
        // The test schedule: 1 s, then 2 s, each plus up to 20 % jitter (and the poll interval).
        AssertGap(attempts[0], attempts[1], TimeSpan.FromSeconds(1));
        AssertGap(attempts[1], attempts[2], TimeSpan.FromSeconds(2));

        await TestCatalog.EventuallyAsync(async () => (await DeliveriesAsync(id)).Any(d =>
                d.GetProperty("id").GetString() == attempts[0].Id && d.GetProperty("status").GetString() == "delivered"
                && d.GetProperty("attempts").GetInt32() == 3 && d.GetProperty("last_status_code").GetInt32() == 204),
            Soon, "the delivery log shows three attempts, the last one answered 204");
        Assert.True((await GetAsync(id)).GetProperty("failing_since").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task An_endpoint_failing_for_longer_than_DisableAfter_is_disabled_and_the_subscription_says_so()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add(ReceiverMode.FailThenRecover);
        endpoint.FailuresLeft = int.MaxValue;
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        await WriteVideoAsync(channelId, TestCatalog.NewVideoId(), "Fails");
        await TestCatalog.EventuallyAsync(() => Task.FromResult(endpoint.Events.Count == 4), Soon, "the schedule's four attempts");
        var failingSince = (await GetAsync(id)).GetProperty("failing_since").GetDateTimeOffset();
        Assert.Equal("active", (await GetAsync(id)).GetProperty("status").GetString()); // failing, not yet for 7 s

        // The test AppHost's DisableAfter: 7 s. The next failure after it disables the endpoint.
        var disableAfter = failingSince.AddSeconds(8) - DateTimeOffset.UtcNow;
        if (disableAfter > TimeSpan.Zero)
        {
            await Task.Delay(disableAfter);
        }

        await WriteVideoAsync(channelId, TestCatalog.NewVideoId(), "Fails again");
        await TestCatalog.EventuallyAsync(async () => (await GetAsync(id)).GetProperty("status").GetString() == "disabled", Soon,
            "the endpoint is disabled");
        Assert.Contains("DisableAfter", (await GetAsync(id)).GetProperty("disabled_reason").GetString());

        var sent = endpoint.Events.Count;
        var unsent = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, unsent, "Not sent to a disabled endpoint");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(sent, endpoint.Events.Count);
        using var retry = await _owner.PostAsync($"/subscriptions/{id}/deliveries/{endpoint.Events[0].Id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_delay_the_others()
    {
        var channelId = await StoredChannelAsync();
        var silent = _receiver.Add(ReceiverMode.Silent);
        var healthy = _receiver.Add();
        var (silentId, _) = await SubscribeAsync([channelId], silent);
        var (healthyId, _) = await SubscribeAsync([channelId], healthy);
        await VerifiedAsync(silentId);
        await VerifiedAsync(healthyId);

        // More messages for the silent endpoint than a replica holds for one endpoint.
        var videos = Enumerable.Range(0, 40).Select(_ => TestCatalog.NewVideoId()).ToArray();
        var started = DateTimeOffset.UtcNow;
        using var write = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos", new
        {
            videos = videos.Select((v, i) => new { video_id = v, video_title = $"Upload {i}", published_at = DateTimeOffset.UtcNow.AddMinutes(-i - 1) }),
        });
        Assert.True(write.IsSuccessStatusCode);

        await TestCatalog.EventuallyAsync(() => Task.FromResult(healthy.Events.Count >= videos.Length), TimeSpan.FromSeconds(5),
            "every upload reaches the healthy endpoint while the silent one holds its attempts open");
        Assert.True(healthy.Events.Max(e => e.At) - started < TimeSpan.FromSeconds(5));
        Assert.NotEmpty(silent.Events); // it was tried: it just never answered
    }

    [Fact]
    public async Task The_worker_stopped_between_commit_and_delivery_delivers_after_its_restart_once()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add();
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        var videoId = TestCatalog.NewVideoId();
        await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-stop");
        try
        {
            await WriteVideoAsync(channelId, videoId, "Committed while the Worker is down");
            Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM video_events WHERE video_id = $1", videoId));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(endpoint.Events);
        }
        finally
        {
            await fixture.ExecuteResourceCommandAsync(ResourceNames.Worker, "resource-start");
        }

        await EventAsync(endpoint, videoId, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a second delivery would have come by now (the poll: 100 ms)
        Assert.Single(endpoint.Events, e => e.Body.Contains(videoId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_caller_cannot_read_change_delete_or_retry_your_subscription()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add();
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);
        var videoId = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, videoId, "Mine");
        var delivered = await EventAsync(endpoint, videoId, Soon);

        using var other = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosSubscribe, subject: "someone-else-" + _subject));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/subscriptions/{id}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/subscriptions/{id}/deliveries/{delivered.Id}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/subscriptions/{id}/secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsJsonAsync($"/subscriptions/{id}", new { url = "https://example.com/" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Empty(JsonDocument.Parse(await other.GetStringAsync("/subscriptions")).RootElement.EnumerateArray());
        using var reader = fixture.CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: _subject));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/subscriptions")).StatusCode); // the scope is needed

        // Its owner still has it, and can send a message again: same webhook-id.
        Assert.Equal(_receiver.UrlOf(endpoint), (await GetAsync(id)).GetProperty("url").GetString());
        using var retried = await _owner.PostAsync($"/subscriptions/{id}/deliveries/{delivered.Id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await TestCatalog.EventuallyAsync(() => Task.FromResult(endpoint.Events.Count(e => e.Id == delivered.Id) == 2), Soon, "sent again");
        Assert.Equal(HttpStatusCode.NoContent, (await _owner.DeleteAsync($"/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _owner.GetAsync($"/subscriptions/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://[::1]:{port}/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://localhost:{port}/hook")] // a host name that resolves to loopback
    [InlineData("http://[::ffff:127.0.0.1]:{port}/hook")]
    public async Task A_url_reaching_an_inner_address_is_refused_and_nothing_connects_to_it(string url)
    {
        using var listener = new TcpListener(IPAddress.IPv6Any, 0) { Server = { DualMode = true } };
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var channelId = await StoredChannelAsync();

        using var response = await _owner.PostAsJsonAsync("/subscriptions",
            new { channel_ids = new[] { channelId }, url = url.Replace("{port}", port.ToString()) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("not public", problem.GetProperty("errors").GetProperty("url")[0].GetString());
        await Task.Delay(500);
        Assert.False(listener.Pending(), "a connection reached the refused address");
    }

    [Fact]
    public async Task A_redirect_to_loopback_is_not_followed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add(ReceiverMode.Redirect);
        endpoint.RedirectTo = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/internal";
        var (id, _) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        await WriteVideoAsync(channelId, TestCatalog.NewVideoId(), "Redirected");
        await TestCatalog.EventuallyAsync(async () => (await DeliveriesAsync(id)).Any(d =>
                d.TryGetProperty("last_error", out var error) && error.GetString()?.Contains("redirects are not followed") == true),
            Soon, "the redirect is recorded as a failed attempt");
        Assert.False(listener.Pending(), "the redirect was followed to loopback");
    }

    [Fact]
    public async Task A_rotated_secret_and_the_previous_one_both_sign_during_the_grace_then_only_the_new_one()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add();
        var (id, oldSecret) = await SubscribeAsync([channelId], endpoint);
        await VerifiedAsync(id);

        using var rotation = await _owner.PostAsync($"/subscriptions/{id}/secret", null);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var rotated = JsonDocument.Parse(await rotation.Content.ReadAsStringAsync()).RootElement;
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        var graceEnds = rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset();

        var during = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, during, "During the grace");
        var first = await EventAsync(endpoint, during, Soon);
        Assert.True(first.VerifiesWith(oldSecret));
        Assert.True(first.VerifiesWith(newSecret));

        // The test AppHost's grace: 5 s.
        var graceLeft = graceEnds - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (graceLeft > TimeSpan.Zero)
        {
            await Task.Delay(graceLeft);
        }

        var after = TestCatalog.NewVideoId();
        await WriteVideoAsync(channelId, after, "After the grace");
        var second = await EventAsync(endpoint, after, Soon);
        Assert.True(second.VerifiesWith(newSecret));
        Assert.False(second.VerifiesWith(oldSecret));
    }

    [Fact]
    public async Task Limits_and_bad_input_are_problems_and_a_subscribed_channel_counts_as_read()
    {
        var channelId = await StoredChannelAsync();
        var endpoint = _receiver.Add();
        // The test AppHost: at most 3 channels per subscription and 5 subscriptions per caller.
        var four = Enumerable.Range(0, 4).Select(_ => TestCatalog.NewChannelId()).ToArray();
        using var tooMany = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = four, url = _receiver.UrlOf(endpoint) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);

        using var badKind = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = new[] { channelId }, kinds = UnknownKinds, url = _receiver.UrlOf(endpoint) });
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        using var badChannel = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = NotChannels, url = _receiver.UrlOf(endpoint) });
        Assert.Equal(HttpStatusCode.BadRequest, badChannel.StatusCode);
        using var ftp = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = new[] { channelId }, url = "ftp://example.com/hook" });
        Assert.Equal(HttpStatusCode.BadRequest, ftp.StatusCode);

        for (var i = 0; i < 5; i++)
        {
            await SubscribeAsync([channelId], endpoint);
        }

        using var sixth = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = new[] { channelId }, url = _receiver.UrlOf(endpoint) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, sixth.StatusCode);
        Assert.Equal(5, JsonDocument.Parse(await _owner.GetStringAsync("/subscriptions")).RootElement.GetArrayLength());

        // Read like a read channel: its last access is kept recent (the refresh and WebSub select channels by it).
        await fixture.Database.ExecuteAsync("UPDATE channels SET last_accessed_at = NULL WHERE id = $1", channelId);
        await TestCatalog.EventuallyAsync(async () => await fixture.Database.ScalarAsync<bool>(
                "SELECT last_accessed_at > now() - interval '1 minute' FROM channels WHERE id = $1", channelId),
            Soon, "the subscribed channel is marked as read");
    }

    private static void AssertGap(ReceivedWebhook earlier, ReceivedWebhook later, TimeSpan published)
    {
        var gap = later.At - earlier.At;
        Assert.True(gap >= published - TimeSpan.FromMilliseconds(50) && gap <= published * 1.2 + TimeSpan.FromSeconds(1),
            $"{gap.TotalSeconds:0.00} s between attempts, published {published.TotalSeconds} s");
    }

    private async Task<string> StoredChannelAsync()
    {
        var channelId = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(channelId);
        await fixture.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Stored before", DateTimeOffset.UtcNow.AddDays(-2));
        return channelId;
    }

    private async Task<(Guid Id, string Secret)> SubscribeAsync(string[] channelIds, ReceiverEndpoint endpoint)
    {
        using var response = await _owner.PostAsJsonAsync("/subscriptions", new { channel_ids = channelIds, url = _receiver.UrlOf(endpoint) });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("pending", body.GetProperty("status").GetString());
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        return (body.GetProperty("id").GetGuid(), secret);
    }

    private Task VerifiedAsync(Guid id) =>
        TestCatalog.EventuallyAsync(async () => (await GetAsync(id)).GetProperty("status").GetString() == "active", Soon,
            "the endpoint echoes the challenge and the subscription turns active");

    private async Task<JsonElement> GetAsync(Guid id) => JsonDocument.Parse(await _owner.GetStringAsync($"/subscriptions/{id}")).RootElement;

    private async Task<List<JsonElement>> DeliveriesAsync(Guid id) =>
        [.. JsonDocument.Parse(await _owner.GetStringAsync($"/subscriptions/{id}/deliveries")).RootElement.EnumerateArray()];

    private async Task WriteVideoAsync(string channelId, string videoId, string title)
    {
        using var response = await _writer.PutAsJsonAsync($"/channels/{channelId}/videos",
            new { videos = new[] { new { video_id = videoId, video_title = title, published_at = DateTimeOffset.UtcNow.AddMinutes(-1) } } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<ReceivedWebhook> EventAsync(ReceiverEndpoint endpoint, string videoId, TimeSpan within)
    {
        ReceivedWebhook? found = null;
        await TestCatalog.EventuallyAsync(() =>
        {
            found = endpoint.Events.FirstOrDefault(e => e.Body.Contains(videoId, StringComparison.Ordinal));
            return Task.FromResult(found is not null);
        }, within, $"the receiver gets the event of {videoId}");
        return found!;
    }
}
