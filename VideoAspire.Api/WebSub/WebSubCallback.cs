using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Videos;
using VideoAspire.Data;
using VideoAspire.Telemetry;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Api.WebSub;

/// <summary>
/// The subscriber side of WebSub: confirms only the intents the Worker recorded, and turns signed notifications for
/// subscribed channels into snapshots on the durable hand-off (the Worker stores them and evicts the caches).
/// </summary>
public sealed partial class WebSubCallback(
    VideosDbContext db,
    SnapshotPersistence persistence,
    TimeProvider timeProvider,
    IOptions<WebSubOptions> options,
    ILogger<WebSubCallback> logger)
{
    public const string SignatureHeader = "X-Hub-Signature";

    /// <summary>
    /// The hub verifies an intent: true (echo the challenge) only on the channel's own callback URL (its token), for
    /// the mode we last asked for, while that request is pending (within <c>PendingTimeout</c>). A verified
    /// subscription records its lease, never longer than the one asked for; a verified unsubscription ends it; a
    /// denial (of a known intent) clears the lease.
    /// </summary>
    public async Task<bool> VerifyAsync(string token, string? mode, string? topic, int? leaseSeconds, CancellationToken cancellationToken)
    {
        if (!WebSubCallbackToken.IsWellFormed(token) || !WebSubTopic.TryParse(topic, out var channelId))
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        var pendingSince = now - options.Value.PendingTimeout;
        var subscriptions = db.WebSubSubscriptions.Where(s => s.ChannelId == channelId && s.CallbackToken == token);
        var pending = subscriptions.Where(s => s.Mode == mode && s.RequestedAt >= pendingSince);
        var asked = mode == WebSubSubscription.Subscribe
            ? await pending.Select(s => (int?)s.RequestedLeaseSeconds).FirstOrDefaultAsync(cancellationToken)
            : null;
        var confirmed = mode switch
        {
            WebSubSubscription.Subscribe when asked is { } requested => await pending.ExecuteUpdateAsync(set => set
                .SetProperty(s => s.VerifiedAt, now)
                .SetProperty(s => s.LeaseExpiresAt, now.AddSeconds(leaseSeconds is > 0 && leaseSeconds < requested ? leaseSeconds.Value : requested)),
                cancellationToken),
            WebSubSubscription.Unsubscribe => await pending.ExecuteDeleteAsync(cancellationToken),
            // The hub refused the subscription (or ended it): polling carries on; the Worker asks again later.
            "denied" => await subscriptions.ExecuteUpdateAsync(set => set.SetProperty(s => s.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken),
            _ => 0,
        };

        LogVerification(mode, channelId, confirmed > 0, leaseSeconds);
        return confirmed > 0;
    }

    /// <summary>
    /// Reads, authenticates and hands off one notification body, delivered to one channel's callback URL (its token):
    /// only that channel's items are taken from it.
    /// </summary>
    public async Task<NotificationOutcome> ReceiveAsync(string token, HttpRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var channelId = WebSubCallbackToken.IsWellFormed(token)
            ? await db.WebSubSubscriptions.Where(s => s.CallbackToken == token).Select(s => s.ChannelId).FirstOrDefaultAsync(cancellationToken)
            : null;
        var outcome = channelId is null
            ? NotificationOutcome.UnknownCallback
            : await ReadBodyAsync(request, settings.MaxNotificationBytes, cancellationToken) is not { } body
                ? NotificationOutcome.TooLarge
                : !HasValidSignature(body.WrittenMemory, request.Headers[SignatureHeader].ToString(), settings.Secret!)
                    ? NotificationOutcome.BadSignature
                    : await HandOffAsync(channelId, body.WrittenMemory, cancellationToken);

        VideoAspireTelemetry.WebSubNotifications.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeName(outcome)));
        if (outcome != NotificationOutcome.Accepted)
        {
            LogNotificationIgnored(outcome, request.HttpContext.Connection.RemoteIpAddress);
        }

        return outcome;
    }

    /// <summary>
    /// <c>X-Hub-Signature: sha1=&lt;hex&gt;</c> (or another SHA-2 method): the HMAC of the raw body keyed by our secret,
    /// compared in constant time.
    /// </summary>
    internal static bool HasValidSignature(ReadOnlyMemory<byte> body, string header, string secret)
    {
        var separator = header.IndexOf('=');
        if (separator <= 0)
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(secret);
        byte[] expected = header[..separator].ToLowerInvariant() switch
        {
#pragma warning disable CA5350 // WebSub 0.4 and YouTube's hub sign with sha1; the stronger methods are accepted too
            "sha1" => HMACSHA1.HashData(key, body.Span),
#pragma warning restore CA5350
            "sha256" => HMACSHA256.HashData(key, body.Span),
            "sha384" => HMACSHA384.HashData(key, body.Span),
            "sha512" => HMACSHA512.HashData(key, body.Span),
            _ => [],
        };
        var given = header.AsSpan(separator + 1);
        Span<byte> actual = stackalloc byte[64];
        return expected.Length > 0
               && given.Length == expected.Length * 2
               && Convert.FromHexString(given, actual[..expected.Length], out _, out var written) == OperationStatus.Done
               && written == expected.Length
               && CryptographicOperations.FixedTimeEquals(actual[..expected.Length], expected);
    }

    private async Task<NotificationOutcome> HandOffAsync(string subscribedChannel, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        WebSubNotification notification;
        try
        {
            notification = WebSubNotification.Parse(body);
        }
        catch (XmlException)
        {
            return NotificationOutcome.Malformed;
        }

        // Only the channel this callback URL was given for (a topic we unsubscribed from may still be pushed for a while).
        var snapshots = notification.Snapshots.Where(s => s.ChannelId == subscribedChannel).ToList();
        if (snapshots.Count == 0)
        {
            return notification.Snapshots.Any() ? NotificationOutcome.NotSubscribed : NotificationOutcome.Malformed;
        }

        foreach (var snapshot in snapshots)
        {
            await persistence.HandOffAsync(snapshot);
        }

        var now = timeProvider.GetUtcNow();
        await db.WebSubSubscriptions.Where(s => s.ChannelId == subscribedChannel)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastNotifiedAt, now), cancellationToken);
        var uploads = snapshots.Count(s => s.Videos.Count > 0);
        LogNotificationAccepted(subscribedChannel, uploads, snapshots.Count - uploads);
        return NotificationOutcome.Accepted;
    }

    /// <summary>The body, or null when it is larger than the cap (declared or actual): never read past the cap.</summary>
    private static async Task<ArrayBufferWriter<byte>?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return buffer;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }

    internal static string OutcomeName(NotificationOutcome outcome) => outcome switch
    {
        NotificationOutcome.Accepted => "accepted",
        NotificationOutcome.BadSignature => "bad-signature",
        NotificationOutcome.Malformed => "malformed",
        NotificationOutcome.TooLarge => "too-large",
        NotificationOutcome.UnknownCallback => "unknown-callback",
        _ => "not-subscribed",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSub {Mode} verification for {ChannelId}: {Confirmed} (lease {LeaseSeconds} s)")]
    private partial void LogVerification(string? mode, string channelId, bool confirmed, int? leaseSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSub notification for {ChannelId}: {VideoCount} videos, {DeletionCount} deletions handed off")]
    private partial void LogNotificationAccepted(string channelId, int videoCount, int deletionCount);

    // Debug: anyone can post here, and the counter (with its alert) says how often.
    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSub notification ignored ({Outcome}) from {RemoteAddress}")]
    private partial void LogNotificationIgnored(NotificationOutcome outcome, System.Net.IPAddress? remoteAddress);
}
