using Npgsql;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// Turns committed outbox events into messages for the subscriptions that want them: one statement per round, in one
/// transaction with the cursor (<see cref="WebhookFanoutCursor"/>), so an event is fanned out exactly once whichever
/// replica does it (the others skip the locked cursor). Only active subscriptions get events, and only those of their
/// kinds (an upload of unknown kind: only subscriptions to every kind).
/// </summary>
public sealed class WebhookFanout(NpgsqlDataSource dataSource)
{
    /// <summary>Events fanned out per round at most: a backlog is worked off in bounded statements.</summary>
    public const int MaxEventsPerRound = 2_000;

    /// <summary>One round; returns the messages created and whether another round could do more at once.</summary>
    public async Task<(int Messages, bool More)> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        long last, pending, pendingXmax;
        await using (var cursor = new NpgsqlCommand(
            "SELECT last_event_id, pending_event_id, pending_xmax FROM webhook_fanout_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED",
            connection, transaction))
        await using (var row = await cursor.ExecuteReaderAsync(cancellationToken))
        {
            if (!await row.ReadAsync(cancellationToken))
            {
                return (0, false); // another replica holds it this round
            }

            (last, pending, pendingXmax) = (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
        }

        // One statement, one snapshot: the highest id visible and the transactions that were running around it.
        long xmin, xmax, newest;
        await using (var snapshot = new NpgsqlCommand(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint, coalesce((SELECT max(id) FROM video_events), 0) " +
            "FROM pg_current_snapshot() AS s", connection, transaction))
        await using (var row = await snapshot.ExecuteReaderAsync(cancellationToken))
        {
            await row.ReadAsync(cancellationToken);
            (xmin, xmax, newest) = (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
        }

        var messages = 0;
        var progressed = false;
        // Every transaction running when `pending` was seen has ended: no id at or below it can appear any more.
        if (pending > last && xmin >= pendingXmax)
        {
            var horizon = Math.Min(pending, last + MaxEventsPerRound);
            // Event by event, each one's subscribers through the channel index (OFFSET 0 keeps the planner from
            // flattening this into one join, whose order it picks from statistics that lag a table just filled).
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO webhook_deliveries (subscription_id, event_id, status, attempts, created_at, next_attempt_at)
                SELECT subscriber.id, e.id, '{DeliveryStatus.Pending}', 0, now(), now()
                FROM (SELECT id, channel_id, kind FROM video_events WHERE id > $1 AND id <= $2 OFFSET 0) AS e
                CROSS JOIN LATERAL (
                    SELECT s.id FROM webhook_subscription_channels sc
                    JOIN webhook_subscriptions s ON s.id = sc.subscription_id
                    WHERE sc.channel_id = e.channel_id AND s.status = '{SubscriptionStatus.Active}'
                      AND (cardinality(s.kinds) = 0 OR e.kind = ANY (s.kinds))
                    OFFSET 0) AS subscriber
                ON CONFLICT DO NOTHING
                """, connection, transaction)
            {
                Parameters = { new() { Value = last }, new() { Value = horizon } },
            };
            messages = await insert.ExecuteNonQueryAsync(cancellationToken);
            last = horizon;
            progressed = true;
        }

        if (pending <= last && newest > last)
        {
            (pending, pendingXmax) = (newest, xmax); // the next checkpoint
            progressed = true;
        }

        if (!progressed)
        {
            await transaction.CommitAsync(cancellationToken); // an idle round writes nothing
            return (0, false);
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE webhook_fanout_cursor SET last_event_id = $1, pending_event_id = $2, pending_xmax = $3 WHERE id = 1", connection, transaction)
        {
            Parameters = { new() { Value = last }, new() { Value = pending }, new() { Value = pendingXmax } },
        })
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        // Straight on after progress (the next checkpoint is usually settled at once); otherwise wait for the poll.
        return (messages, progressed && pending > last);
    }
}
