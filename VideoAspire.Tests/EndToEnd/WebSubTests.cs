using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Handoff;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// Push through YouTube's WebSub hub (the stand-in in FakeWebSubHub: real HTTP, real forms, challenges, Atom bodies and
/// HMAC signatures): the Worker subscribes channels people read and renews or ends their leases; the Api's callback
/// verifies only intents we asked for, and a signed notification reaches every cache layer through the hand-off.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed partial class WebSubTests(AppHostFixture fixture)
{
    private static readonly TimeSpan PushVisibleWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_pushed_upload_is_served_within_five_seconds()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var upload = new FakeVideo(TestCatalog.NewVideoId(), "Pushed upload", DateTimeOffset.UtcNow.AddSeconds(-2));

        using var response = await fixture.YouTube.Hub.PushVideoAsync(channelId, upload, DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // The channel's answer was cached (memory, Redis) by the read that subscribed it: the push must evict it.
        await TestCatalog.EventuallyAsync(async () => (await LatestAsync(channelId)).FirstOrDefault() == (upload.VideoId, upload.Title),
            PushVisibleWithin, "the pushed upload is the newest video in the answer");
    }

    [Fact]
    public async Task A_title_change_applies_and_an_older_notification_never_undoes_it()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var video = new FakeVideo(TestCatalog.NewVideoId(), "First title", DateTimeOffset.UtcNow.AddMinutes(-1));
        var first = DateTimeOffset.UtcNow;

        await PushAndWaitAsync(channelId, video, first, "First title");
        await PushAndWaitAsync(channelId, video with { Title = "Second title" }, first.AddSeconds(10), "Second title");

        // Out of order: a notification older than what is stored arrives last.
        (await fixture.YouTube.Hub.PushVideoAsync(channelId, video with { Title = "Stale title" }, first.AddSeconds(5))).Dispose();
        await HandoffDrainedAsync();

        Assert.Equal((video.VideoId, "Second title"), (await LatestAsync(channelId)).First());
        Assert.Equal("Second title", await fixture.Database.ScalarAsync<string>("SELECT title FROM videos WHERE video_id = $1", video.VideoId));
    }

    [Fact]
    public async Task A_deleted_video_disappears_and_a_late_notification_does_not_bring_it_back()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var video = new FakeVideo(TestCatalog.NewVideoId(), "Soon deleted", DateTimeOffset.UtcNow.AddMinutes(-1));
        var uploaded = DateTimeOffset.UtcNow;
        await PushAndWaitAsync(channelId, video, uploaded, "Soon deleted");

        using (var deletion = await fixture.YouTube.Hub.PushDeletionAsync(channelId, video.VideoId, uploaded.AddSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.Accepted, deletion.StatusCode);
        }

        await TestCatalog.EventuallyAsync(async () => (await LatestAsync(channelId)).All(v => v.VideoId != video.VideoId),
            PushVisibleWithin, "the deleted video is gone from the answer");

        // The upload's notification again, late (it is older than the deletion): it must not resurrect the video.
        (await fixture.YouTube.Hub.PushVideoAsync(channelId, video, uploaded)).Dispose();
        await HandoffDrainedAsync();

        Assert.DoesNotContain(await LatestAsync(channelId), v => v.VideoId == video.VideoId);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", video.VideoId));
    }

    [Fact]
    public async Task A_repeated_notification_changes_nothing()
    {
        var (channelId, stored) = await fixture.SubscribedChannelAsync();
        var video = new FakeVideo(TestCatalog.NewVideoId(), "Told twice", DateTimeOffset.UtcNow.AddMinutes(-1));
        var updated = DateTimeOffset.UtcNow;

        await PushAndWaitAsync(channelId, video, updated, "Told twice");
        (await fixture.YouTube.Hub.PushVideoAsync(channelId, video, updated)).Dispose();
        await HandoffDrainedAsync();

        Assert.Equal([(video.VideoId, "Told twice"), (stored, "Stored before")], await LatestAsync(channelId));
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
    }

    [Fact]
    public async Task A_bad_or_missing_signature_is_acknowledged_counted_and_changes_nothing()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var forged = new FakeVideo(TestCatalog.NewVideoId(), "Forged", DateTimeOffset.UtcNow);
        var body = FakeWebSubHub.VideoNotification(channelId, forged, DateTimeOffset.UtcNow);
        var before = await NotificationsCountedAsync("bad-signature");

        var answers = new[]
        {
            await fixture.YouTube.Hub.PushAsync(channelId, body, signature: "sha1=" + new string('0', 40)),
            await fixture.YouTube.Hub.PushAsync(channelId, body, signature: "sha1=" + Convert.ToHexStringLower(
                System.Security.Cryptography.HMACSHA1.HashData("not-the-secret"u8, Encoding.UTF8.GetBytes(body)))),
            await fixture.YouTube.Hub.PushAsync(channelId, body, signature: "md5=abc"),
            await fixture.YouTube.Hub.PushAsync(channelId, body, signed: false),
        };

        // Acknowledged (the spec: ignore, do not refuse), so a forger learns nothing; stored nowhere; counted.
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode));
        await HandoffDrainedAsync();
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", forged.VideoId));
        Assert.DoesNotContain(await LatestAsync(channelId), v => v.VideoId == forged.VideoId);
        await TestCatalog.EventuallyAsync(async () => await NotificationsCountedAsync("bad-signature") >= before + answers.Length,
            TimeSpan.FromSeconds(10), "each rejected notification is counted");
        Array.ForEach(answers, answer => answer.Dispose());
    }

    [Fact]
    public async Task Oversized_or_dtd_bodies_are_refused_without_effect()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var video = new FakeVideo(TestCatalog.NewVideoId(), "Hidden", DateTimeOffset.UtcNow);
        var huge = FakeWebSubHub.VideoNotification(channelId, video, DateTimeOffset.UtcNow)
            .Replace("Hidden", new string('x', 300 * 1024), StringComparison.Ordinal);
        var withDtd = """<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>"""
                      + FakeWebSubHub.VideoNotification(channelId, video, DateTimeOffset.UtcNow);

        var malformedBefore = await NotificationsCountedAsync("malformed");
        var tooLargeBefore = await NotificationsCountedAsync("too-large");
        using var tooLarge = await fixture.YouTube.Hub.PushAsync(channelId, huge);
        using var dtd = await fixture.YouTube.Hub.PushAsync(channelId, withDtd); // correctly signed, still refused

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, dtd.StatusCode);
        await HandoffDrainedAsync();
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE video_id = $1", video.VideoId));
        await TestCatalog.EventuallyAsync(
            async () => await NotificationsCountedAsync("malformed") > malformedBefore && await NotificationsCountedAsync("too-large") > tooLargeBefore,
            TimeSpan.FromSeconds(10), "both are counted, each under its reason");
    }

    [Fact]
    public async Task Verification_echoes_the_challenge_only_for_a_pending_intent_on_its_own_callback_url()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var stranger = TestCatalog.NewChannelId();
        var token = await CallbackTokenAsync(channelId);
        using var hub = new HttpClient { BaseAddress = fixture.Api.BaseAddress }; // anonymous, as the hub

        // The hub re-verifying the pending request: the challenge comes back.
        await fixture.Database.ExecuteAsync("UPDATE websub_subscriptions SET requested_at = now() WHERE channel_id = $1", channelId);
        using (var ours = await hub.GetAsync(VerificationPath(token, "subscribe", channelId, "ch4llenge")))
        {
            Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
            Assert.Equal("text/plain", ours.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", ours.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("ch4llenge", await ours.Content.ReadAsStringAsync());
        }

        var state = await SubscriptionStateAsync(channelId);
        foreach (var forged in new[]
        {
            VerificationPath(token, "unsubscribe", channelId, "x"), // we asked to subscribe, not to unsubscribe
            VerificationPath(token, "subscribe", stranger, "x"), // a channel this URL is not for
            VerificationPath(token, "subscribe", channelId, ""), // no challenge
            VerificationPath(token, "subscribe", channelId, new string('x', 201)), // a challenge too long to echo
            VerificationPath(token, "subscribe", channelId, "<script>alert(1)</script>"), // one that is not plain
            VerificationPath(WebSubCallbackToken.New(), "subscribe", channelId, "x", int.MaxValue), // a guessed URL
            $"/websub/youtube?hub.mode=subscribe&hub.topic={Topic(channelId)}&hub.challenge=x&hub.lease_seconds=2147483647", // no token
            $"/websub/youtube/{token}?hub.mode=subscribe&hub.topic=https%3A%2F%2Fevil.example%2F&hub.challenge=x",
            $"/websub/youtube/{WebSubCallbackToken.New()}?hub.mode=denied&hub.topic={Topic(channelId)}", // a denial of no intent of ours
        })
        {
            using var response = await hub.GetAsync(forged);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(state, await SubscriptionStateAsync(channelId)); // nothing forged changed what is stored

        // The request is no longer pending (past PendingTimeout, 5 s here): even the right URL cannot extend the lease.
        await fixture.Database.ExecuteAsync("UPDATE websub_subscriptions SET requested_at = now() - interval '1 hour' WHERE channel_id = $1", channelId);
        state = await SubscriptionStateAsync(channelId);
        using (var late = await hub.GetAsync(VerificationPath(token, "subscribe", channelId, "x", int.MaxValue)))
        {
            Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        }

        Assert.Equal(state, await SubscriptionStateAsync(channelId));
    }

    [Fact]
    public async Task A_hub_granting_more_than_was_asked_gets_the_lease_that_was_asked()
    {
        // The stand-in hub grants 68 years; the Worker asked for YouTube:WebSub:LeaseSeconds (5 days by default).
        var (channelId, _) = await fixture.SubscribedChannelAsync(leaseSeconds: int.MaxValue);

        Assert.True(await fixture.Database.ScalarAsync<bool>(
            "SELECT lease_expires_at <= now() + make_interval(secs => requested_lease_seconds) FROM websub_subscriptions WHERE channel_id = $1", channelId),
            "the lease is held to the one asked for");
    }

    [Fact]
    public async Task A_denial_from_the_hub_ends_the_lease_and_polling_takes_over()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();
        var token = await CallbackTokenAsync(channelId);
        using var hub = new HttpClient { BaseAddress = fixture.Api.BaseAddress };

        var deniedAt = DateTimeOffset.UtcNow;
        using var denied = await hub.GetAsync($"/websub/youtube/{token}?hub.mode=denied&hub.topic={Topic(channelId)}&hub.reason=unauthorized");
        using var stranger = await hub.GetAsync($"/websub/youtube/{token}?hub.mode=denied&hub.topic={Topic(TestCatalog.NewChannelId())}");

        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode); // not a topic this URL is for
        // No live lease: the refresh polls the channel again, and the Worker asks the hub again after PendingTimeout (which
        // may already have happened: then the lease is a new one, verified after the denial).
        Assert.True(await fixture.Database.ScalarAsync<bool>(
            "SELECT lease_expires_at IS NULL OR verified_at >= $2 FROM websub_subscriptions WHERE channel_id = $1", channelId, deniedAt),
            "the denial ended the lease");
    }

    [Fact]
    public async Task A_lease_about_to_expire_is_renewed()
    {
        // A lease of 60 s is inside the renewal margin (YouTube:WebSub:RenewBefore is 2 min in the tests).
        var (channelId, _) = await fixture.SubscribedChannelAsync(leaseSeconds: 60);

        await TestCatalog.EventuallyAsync(
            async () => fixture.YouTube.Hub.Requests(channelId).Count(r => r.Mode == "subscribe") >= 2
                        && await fixture.Database.ScalarAsync<int>("SELECT renewals FROM websub_subscriptions WHERE channel_id = $1", channelId) >= 1,
            TimeSpan.FromSeconds(30), "the lease is renewed before it runs out");
        await TestCatalog.EventuallyAsync(
            async () => await fixture.Database.ScalarAsync<bool>(
                "SELECT lease_expires_at > now() + interval '30 seconds' FROM websub_subscriptions WHERE channel_id = $1", channelId),
            TimeSpan.FromSeconds(30), "the renewed lease is verified and recorded");
        // The same callback URL every time (the hub knows a subscription by topic and callback), its token the channel's.
        var callback = $"http://callback.videoaspire.test/websub/youtube/{await CallbackTokenAsync(channelId)}";
        Assert.All(fixture.YouTube.Hub.Requests(channelId), r => Assert.Equal(callback, r.Callback));
    }

    [Fact]
    public async Task A_channel_nobody_reads_any_more_is_unsubscribed()
    {
        var (channelId, _) = await fixture.SubscribedChannelAsync();

        await fixture.Database.ExecuteAsync("UPDATE channels SET last_accessed_at = now() - interval '1 day' WHERE id = $1", channelId);

        await TestCatalog.EventuallyAsync(
            async () => !fixture.YouTube.Hub.IsSubscribed(channelId)
                        && await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM websub_subscriptions WHERE channel_id = $1", channelId) == 0,
            TimeSpan.FromSeconds(20), "the Worker unsubscribes and the hub's verification ends the subscription");
        Assert.Contains(fixture.YouTube.Hub.Requests(channelId), r => r.Mode == "unsubscribe");
    }

    [Fact]
    public async Task A_channel_with_a_live_subscription_is_left_to_the_safety_poll()
    {
        var (pushed, _) = await fixture.SubscribedChannelAsync();
        var polled = TestCatalog.NewChannelId();
        await fixture.Database.AddChannelAsync(polled);
        foreach (var id in new[] { pushed, polled })
        {
            fixture.YouTube.AddChannel(id).Videos.Add(new FakeVideo(TestCatalog.NewVideoId(), "On YouTube", DateTimeOffset.UtcNow.AddHours(-1)));
            // Both just refreshed and both read: due again after one refresh interval (3 s in the tests).
            await fixture.Database.ExecuteAsync("UPDATE channels SET last_refreshed_at = now(), last_accessed_at = now() WHERE id = $1", id);
        }

        await TestCatalog.EventuallyAsync(() => Task.FromResult(FetchCalls(polled) > 0), TimeSpan.FromSeconds(20),
            "the channel without a subscription is polled");
        // Runs are sequential: the one that polled the other channel started after both were marked refreshed, so any
        // run that picked the subscribed channel before its verification (it was read, never refreshed) is over.
        var pushedBefore = FetchCalls(pushed);
        await Task.Delay(TimeSpan.FromSeconds(7)); // two more refresh runs (every 3 s in the tests)
        Assert.Equal(pushedBefore, FetchCalls(pushed));
        Assert.True(FetchCalls(polled) > 1, "the other channel kept being polled meanwhile");
    }

    private async Task PushAndWaitAsync(string channelId, FakeVideo video, DateTimeOffset updated, string expectedTitle)
    {
        using var response = await fixture.YouTube.Hub.PushVideoAsync(channelId, video, updated);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await TestCatalog.EventuallyAsync(async () => (await LatestAsync(channelId)).Contains((video.VideoId, expectedTitle)),
            PushVisibleWithin, $"'{expectedTitle}' is served");
    }

    private async Task<List<(string VideoId, string Title)>> LatestAsync(string channelId) =>
        (await fixture.ReadVideosAsync($"/videos?channel_id={channelId}", channelId))
        .Select(v => (v.GetProperty("video_id").GetString()!, v.GetProperty("video_title").GetString()!))
        .ToList();

    /// <summary>Every entry handed off so far has been delivered to a Worker and acknowledged.</summary>
    private async Task HandoffDrainedAsync() => await TestCatalog.EventuallyAsync(async () =>
    {
        var groups = (RedisResult[])(await fixture.Redis.GetDatabase().ExecuteAsync("XINFO", "GROUPS", SnapshotHandoff.StreamKey))!;
        return groups.Select(g => ((RedisResult[])g!).Chunk(2).ToDictionary(p => (string)p[0]!, p => p[1]))
            .Where(g => (string?)g["name"] == SnapshotHandoff.ConsumerGroup)
            .All(g => (long)g["pending"] == 0 && (g["lag"].IsNull || (long)g["lag"] == 0));
    }, TimeSpan.FromSeconds(10), "the hand-off is drained");

    private int FetchCalls(string channelId) =>
        fixture.YouTube.Calls("channels", channelId) + fixture.YouTube.Calls("playlistItems", channelId) + fixture.YouTube.Calls("feed", channelId);

    private static string Topic(string channelId) => Uri.EscapeDataString("https://www.youtube.com/xml/feeds/videos.xml?channel_id=" + channelId);

    private static string VerificationPath(string token, string mode, string channelId, string challenge, int leaseSeconds = 432_000) =>
        $"/websub/youtube/{token}?hub.mode={mode}&hub.topic={Topic(channelId)}&hub.challenge={Uri.EscapeDataString(challenge)}&hub.lease_seconds={leaseSeconds}";

    private async Task<string> CallbackTokenAsync(string channelId) =>
        (await fixture.Database.ScalarAsync<string>("SELECT callback_token FROM websub_subscriptions WHERE channel_id = $1", channelId))!;

    /// <summary>Everything a verification could change, as one comparable string.</summary>
    private async Task<string> SubscriptionStateAsync(string channelId) =>
        (await fixture.Database.ScalarAsync<string>(
            "SELECT concat_ws('|', mode, verified_at, lease_expires_at, requested_at) FROM websub_subscriptions WHERE channel_id = $1", channelId))!;

    /// <summary>The Api replicas' count of notifications with this outcome.</summary>
    private async Task<double> NotificationsCountedAsync(string outcome)
    {
        var token = TestTokens.Create(Scopes.MetricsRead, subject: "prometheus");
        var total = 0.0;
        foreach (var address in fixture.ReplicaAddresses("VideoAspire.Api"))
        {
            using var scraper = AppHostFixture.CreateReplicaClient(address, token);
            var exported = await scraper.GetStringAsync("/metrics");
            total += NotificationCount().Matches(exported)
                .Where(m => m.Groups["labels"].Value.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
                .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return total;
    }

    [GeneratedRegex(@"^videoaspire_websub_notifications_total\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex NotificationCount();
}
