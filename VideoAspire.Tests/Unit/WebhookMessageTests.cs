using System.Text.Json;
using VideoAspire.Data.Webhooks;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker.Webhooks;

namespace VideoAspire.Tests.Unit;

/// <summary>The Standard Webhooks wire format the Worker sends, checked with the package a .NET receiver would use.</summary>
public sealed class WebhookMessageTests
{
    // Receivers refuse a timestamp more than 5 minutes from their clock: now, to the second.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [Fact]
    public void An_event_is_the_video_as_a_read_answers_it_signed_with_the_current_secret_and_during_a_grace_the_previous_one()
    {
        var (current, previous) = (WebhookSecret.Create(), WebhookSecret.Create());
        var message = Event(current, previous);
        var body = message.Body(Now);
        var received = new ReceivedWebhook(message.MessageId, Now.ToUnixTimeSeconds().ToString(), message.Signature(body, Now), body, Now);

        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("video.published", json.GetProperty("type").GetString());
        Assert.Equal(Now.AddMinutes(-1), json.GetProperty("timestamp").GetDateTimeOffset()); // when the event committed
        var data = json.GetProperty("data");
        Assert.Equal(["channel_id", "video_id", "video_title", "upload_date", "published_at", "kind"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-12-05", data.GetProperty("upload_date").GetString());
        Assert.Equal("shorts", data.GetProperty("kind").GetString());
        Assert.Equal(2, received.Signature.Split(' ').Length);
        Assert.True(received.VerifiesWith(current));
        Assert.True(received.VerifiesWith(previous));
        Assert.False(received.VerifiesWith(WebhookSecret.Create()));
        Assert.False((received with { Id = "msg_2" }).VerifiesWith(current)); // the id is signed
        Assert.Single(Event(current, null).Signature(body, Now).Split(' '));
    }

    [Fact]
    public void The_readme_receivers_hand_written_check_computes_the_signature_sent()
    {
        var secret = WebhookSecret.Create();
        var message = Event(secret, null);
        var body = message.Body(Now);
        // README.md, "Receiving webhooks": "v1," + base64(HMAC-SHA256(key, "id.timestamp.body")).
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key,
            System.Text.Encoding.UTF8.GetBytes($"{message.MessageId}.{Now.ToUnixTimeSeconds()}.{body}")));
        Assert.Equal(expected, message.Signature(body, Now));
    }

    [Theory]
    [InlineData("c0ffee", true)]
    [InlineData("  c0ffee\n", true)]
    [InlineData("{\"challenge\":\"c0ffee\"}", true)]
    [InlineData("{\"challenge\":\"other\"}", false)]
    [InlineData("ok", false)]
    [InlineData("", false)]
    [InlineData("{\"challenge\":42}", false)]
    public void A_verification_counts_only_when_the_answer_echoes_its_challenge(string answer, bool echoed)
    {
        var verification = Event(WebhookSecret.Create(), null) with { Challenge = "c0ffee", EventType = null };
        Assert.Equal("webhook.verification", verification.Type);
        Assert.Equal("c0ffee", JsonDocument.Parse(verification.Body(Now)).RootElement.GetProperty("data").GetProperty("challenge").GetString());
        Assert.Equal(echoed, verification.IsEchoed(answer));
    }

    [Fact]
    public void Retries_follow_the_schedule_never_earlier_at_most_a_fifth_later_and_end_with_it()
    {
        var options = new NotificationOptions();
        Assert.Equal(NotificationOptions.DefaultRetrySchedule, options.Schedule);
        Assert.InRange(NotificationOptions.DefaultRetrySchedule.Aggregate(TimeSpan.Zero, (sum, wait) => sum + wait), TimeSpan.FromHours(24), TimeSpan.FromHours(30));
        Assert.Equal(TimeSpan.FromSeconds(5), options.RetryAfter(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(6), options.RetryAfter(1, 1));
        Assert.Equal(TimeSpan.FromHours(10), options.RetryAfter(7, 0));
        Assert.Null(options.RetryAfter(8, 0));

        options.RetrySchedule = [TimeSpan.FromSeconds(1)];
        Assert.Equal(TimeSpan.FromSeconds(1), options.RetryAfter(1, 0));
        Assert.Null(options.RetryAfter(2, 0));
        // A lease outlasts the longest a replica holds a message: its queue behind the endpoint, then its attempt.
        Assert.True(options.Lease > options.RequestTimeout * (options.EndpointQueueLimit / options.ConcurrencyPerEndpoint + 1));
    }

    private static WebhookMessage Event(string secret, string? previous) => new(
        1, Guid.CreateVersion7(), "owner", "https://example.com/hook", secret, previous, 0, null, 42, "video.published",
        "UC0032Wkd3aCT4rRi1YOVc2d", "dQw4w9WgXcQ", "A new upload", new DateTimeOffset(2026, 12, 5, 23, 30, 0, TimeSpan.Zero), "shorts",
        Now.AddMinutes(-1));
}
