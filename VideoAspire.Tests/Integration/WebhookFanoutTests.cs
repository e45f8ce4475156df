using Npgsql;
using VideoAspire.Data;
using VideoAspire.Data.Webhooks;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker.Webhooks;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// The Worker's fan-out from the outbox to subscriptions, against a real PostgreSQL without the AppHost: an event whose
/// transaction commits after a later event's is not skipped, a rolled-back one leaves no hole that stops it, and
/// replicas running rounds at once create each message once.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class WebhookFanoutTests(StoresFixture stores)
{
    private static readonly DateTimeOffset Published = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_event_committed_after_a_later_one_is_fanned_out_once_by_replicas_working_at_once()
    {
        // Two channels: the open transaction holds its channel's row, which the later write must not wait for.
        var channelId = TestCatalog.NewChannelId();
        var otherChannelId = TestCatalog.NewChannelId();
        var subscription = await ActiveSubscriptionAsync(channelId, otherChannelId);
        var fanout = new WebhookFanout(stores.Database);
        await RoundsAsync(fanout, 3);

        // The first event's transaction takes its id, and stays open while a later event commits.
        var early = TestCatalog.NewVideoId();
        var late = TestCatalog.NewVideoId();
        await using var connection = await stores.Database.OpenConnectionAsync();
        await using var open = await connection.BeginTransactionAsync();
        await WriteAsync(connection, channelId, early);
        await using (var other = await stores.Database.OpenConnectionAsync())
        {
            await WriteAsync(other, otherChannelId, late);
        }

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RoundsAsync(fanout, 5)));
        Assert.Empty(await MessagesAsync(subscription)); // the later event waits: an earlier id may still commit

        await open.CommitAsync();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RoundsAsync(fanout, 5)));
        var messages = await MessagesAsync(subscription);
        Assert.Equal(new[] { early, late }.Order(StringComparer.Ordinal), messages.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rolled_back_event_leaves_no_message_and_does_not_hold_up_the_next()
    {
        var channelId = TestCatalog.NewChannelId();
        var subscription = await ActiveSubscriptionAsync(channelId);
        var fanout = new WebhookFanout(stores.Database);
        await RoundsAsync(fanout, 3);

        var rolledBack = TestCatalog.NewVideoId();
        await using (var connection = await stores.Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await WriteAsync(connection, channelId, rolledBack);
            await transaction.RollbackAsync();
        }

        var committed = TestCatalog.NewVideoId();
        await using (var connection = await stores.Database.OpenConnectionAsync())
        {
            await WriteAsync(connection, channelId, committed);
        }

        await RoundsAsync(fanout, 5);
        Assert.Equal([committed], await MessagesAsync(subscription));
    }

    private async Task<Guid> ActiveSubscriptionAsync(params string[] channelIds)
    {
        var id = Guid.CreateVersion7();
        await stores.Database.ExecuteAsync(
            $"INSERT INTO webhook_subscriptions (id, owner, url, kinds, secret, status, created_at) VALUES ($1, 'fanout-test', 'https://example.com/', '{{}}', $2, '{SubscriptionStatus.Active}', now())",
            id, WebhookSecret.Create());
        foreach (var channelId in channelIds)
        {
            await stores.Database.ExecuteAsync("INSERT INTO webhook_subscription_channels (subscription_id, channel_id) VALUES ($1, $2)", id, channelId);
        }

        return id;
    }

    private static async Task RoundsAsync(WebhookFanout fanout, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            await fanout.RunOnceAsync(CancellationToken.None);
            await Task.Delay(20);
        }
    }

    private static Task WriteAsync(NpgsqlConnection connection, string channelId, string videoId) =>
        ChannelUpsert.RunAsync(connection, [new ChannelUpsert.Channel(channelId, "Channel", DateTime.UtcNow, null, Revive: false)],
            [(channelId, new FetchedVideo(videoId, "Upload " + videoId, Published))], CancellationToken.None);

    private async Task<List<string>> MessagesAsync(Guid subscription)
    {
        await using var command = stores.Database.CreateCommand(
            "SELECT e.video_id FROM webhook_deliveries d JOIN video_events e ON e.id = d.event_id WHERE d.subscription_id = $1 ORDER BY d.id");
        command.Parameters.Add(new() { Value = subscription });
        var videos = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            videos.Add(reader.GetString(0));
        }

        return videos;
    }
}
