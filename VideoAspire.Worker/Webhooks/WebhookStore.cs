using Npgsql;
using NpgsqlTypes;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// The Worker's statements on webhook messages, each batched (a round of claims is one statement, a round of outcomes
/// one batch). Claiming pushes a message's <c>next_attempt_at</c> past its lease (<see cref="NotificationOptions.Lease"/>),
/// under <c>FOR UPDATE SKIP LOCKED</c>: replicas never take the same message, and one that dies leaves its messages to
/// the others once their lease runs out.
/// </summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<WebhookMessage>> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH due AS (
                SELECT d.id, s.owner, s.url, s.secret,
                       CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS previous_secret,
                       d.attempts, d.challenge, d.event_id, e.type, e.channel_id, e.video_id, e.title, e.published_at, e.kind, e.occurred_at
                FROM webhook_deliveries d
                JOIN webhook_subscriptions s ON s.id = d.subscription_id
                LEFT JOIN video_events e ON e.id = d.event_id
                WHERE d.status = '{DeliveryStatus.Pending}' AND d.next_attempt_at <= now()
                  AND (s.status = '{SubscriptionStatus.Active}' OR s.status = '{SubscriptionStatus.Pending}' AND d.challenge IS NOT NULL)
                ORDER BY d.next_attempt_at
                LIMIT $1
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET next_attempt_at = now() + $2
            FROM due WHERE d.id = due.id
            RETURNING d.id, d.subscription_id, due.owner, due.url, due.secret, due.previous_secret, due.attempts, due.challenge,
                      due.event_id, due.type, due.channel_id, due.video_id, due.title, due.published_at, due.kind, due.occurred_at
            """);
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = lease });
        var claimed = new List<WebhookMessage>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            claimed.Add(new WebhookMessage(
                row.GetInt64(0), row.GetGuid(1), row.GetString(2), row.GetString(3), row.GetString(4),
                row.IsDBNull(5) ? null : row.GetString(5), row.GetInt32(6), row.IsDBNull(7) ? null : row.GetString(7),
                row.IsDBNull(8) ? null : row.GetInt64(8), row.IsDBNull(9) ? null : row.GetString(9),
                row.IsDBNull(10) ? null : row.GetString(10), row.IsDBNull(11) ? null : row.GetString(11),
                row.IsDBNull(12) ? null : row.GetString(12), row.IsDBNull(13) ? null : row.GetFieldValue<DateTimeOffset>(13),
                row.IsDBNull(14) ? null : row.GetString(14), row.IsDBNull(15) ? null : row.GetFieldValue<DateTimeOffset>(15)));
        }

        return claimed;
    }

    /// <summary>
    /// Counts first sends of events against each caller's day, and returns how many of them each caller is over its
    /// limit (those are dropped, not sent).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAgainstDayAsync(IReadOnlyDictionary<string, int> firstSends, int limit,
        DateOnly day, CancellationToken cancellationToken)
    {
        if (firstSends.Count == 0)
        {
            return new Dictionary<string, int>();
        }

        await using var command = dataSource.CreateCommand("""
            INSERT INTO webhook_usage (owner, day, deliveries)
            SELECT owner, $2, deliveries FROM unnest($1::text[], $3::int[]) AS u(owner, deliveries)
            ON CONFLICT (owner, day) DO UPDATE SET deliveries = webhook_usage.deliveries + excluded.deliveries
            RETURNING owner, deliveries
            """);
        command.Parameters.Add(new() { Value = firstSends.Keys.ToArray() });
        command.Parameters.Add(new() { Value = day });
        command.Parameters.Add(new() { Value = firstSends.Values.ToArray() });
        var over = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            var (owner, total) = (row.GetString(0), row.GetInt32(1));
            if (total > limit)
            {
                over[owner] = Math.Min(total - limit, firstSends[owner]);
            }
        }

        return over;
    }

    /// <summary>
    /// Writes a round of outcomes, and what they say of their subscriptions: a success ends an endpoint's failing spell
    /// (and a verification's activates it); a failure starts one, and one longer than <paramref name="disableAfter"/>
    /// disables it; a verification that ran out of retries disables it.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<WebhookOutcome> outcomes, TimeSpan disableAfter, CancellationToken cancellationToken)
    {
        // Per subscription, the latest attempt's word counts.
        var latest = outcomes.Where(o => o.Attempted).GroupBy(o => o.Message.SubscriptionId).Select(g => g.MaxBy(o => o.At)!).ToList();
        var succeeded = latest.Where(o => o.Succeeded).Select(o => o.Message.SubscriptionId).ToArray();
        var verified = latest.Where(o => o.Succeeded && o.Message.IsVerification).Select(o => o.Message.SubscriptionId).ToArray();
        var failing = latest.Where(o => !o.Succeeded).Select(o => o.Message.SubscriptionId).ToArray();
        var unverified = outcomes.Where(o => o.Message.IsVerification && o.Status == DeliveryStatus.Failed).Select(o => o.Message.SubscriptionId).ToArray();

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            UPDATE webhook_deliveries d SET
                status = u.status,
                next_attempt_at = u.next_attempt_at,
                attempts = d.attempts + CASE WHEN u.attempted THEN 1 ELSE 0 END,
                last_attempt_at = CASE WHEN u.attempted THEN u.at ELSE d.last_attempt_at END,
                delivered_at = CASE WHEN u.status = '{DeliveryStatus.Delivered}' THEN u.at ELSE d.delivered_at END,
                last_status_code = CASE WHEN u.attempted THEN u.code ELSE d.last_status_code END,
                last_latency_ms = CASE WHEN u.attempted THEN u.latency ELSE d.last_latency_ms END,
                last_error = coalesce(u.error, CASE WHEN u.attempted THEN NULL ELSE d.last_error END)
            FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::boolean[], $5::timestamptz[], $6::int[], $7::int[], $8::text[])
                AS u(id, status, next_attempt_at, attempted, at, code, latency, error)
            WHERE d.id = u.id
            """)
        {
            Parameters =
            {
                new() { Value = outcomes.Select(o => o.Message.Id).ToArray() },
                new() { Value = outcomes.Select(o => o.Status).ToArray() },
                new() { Value = outcomes.Select(o => o.NextAttemptAt).ToArray() },
                new() { Value = outcomes.Select(o => o.Attempted).ToArray() },
                new() { Value = outcomes.Select(o => o.At).ToArray() },
                new() { Value = outcomes.Select(o => o.StatusCode).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                new() { Value = outcomes.Select(o => o.LatencyMs).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                new() { Value = outcomes.Select(o => o.Error).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            },
        });
        if (succeeded.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = ANY ($1) AND failing_since IS NOT NULL")
            { Parameters = { new() { Value = succeeded } } });
        }

        if (verified.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"UPDATE webhook_subscriptions SET status = '{SubscriptionStatus.Active}', verified_at = now() " +
                $"WHERE id = ANY ($1) AND status = '{SubscriptionStatus.Pending}'")
            { Parameters = { new() { Value = verified } } });
        }

        if (failing.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE webhook_subscriptions SET failing_since = coalesce(failing_since, now()) WHERE id = ANY ($1)")
            { Parameters = { new() { Value = failing } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                UPDATE webhook_subscriptions SET status = '{SubscriptionStatus.Disabled}',
                    disabled_reason = 'Every attempt failed for longer than ' || $2::text || ' (Notifications:DisableAfter).'
                WHERE id = ANY ($1) AND status = '{SubscriptionStatus.Active}' AND failing_since < now() - $2::interval
                """)
            { Parameters = { new() { Value = failing }, new() { Value = disableAfter } } });
        }

        if (unverified.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"UPDATE webhook_subscriptions SET status = '{SubscriptionStatus.Disabled}', " +
                "disabled_reason = 'The endpoint never echoed the verification challenge.' " +
                $"WHERE id = ANY ($1) AND status = '{SubscriptionStatus.Pending}'")
            { Parameters = { new() { Value = unverified } } });
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Messages due and not sent, how long the oldest has waited, and disabled subscriptions: for the gauges.</summary>
    public async Task<(long Due, TimeSpan OldestWait, long Disabled)> BacklogAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT count(*), coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8,
                   (SELECT count(*) FROM webhook_subscriptions WHERE status = '{SubscriptionStatus.Disabled}')
            FROM webhook_deliveries WHERE status = '{DeliveryStatus.Pending}' AND next_attempt_at <= now()
            """);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return (row.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, row.GetDouble(1))), row.GetInt64(2));
    }
}
