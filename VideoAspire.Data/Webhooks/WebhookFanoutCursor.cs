namespace VideoAspire.Data.Webhooks;

/// <summary>
/// How far the outbox has been fanned out to subscriptions (one row). Outbox ids are taken before their transactions
/// commit, so a lower id can appear after a higher one: ids up to <see cref="PendingEventId"/> are fanned out only once
/// every transaction that was running when it was read has ended (PostgreSQL's snapshot <c>xmin</c> has passed
/// <see cref="PendingXmax"/>); then no id at or below it can still appear.
/// </summary>
public sealed class WebhookFanoutCursor
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    /// <summary>Every event up to this id has been fanned out.</summary>
    public long LastEventId { get; set; }

    /// <summary>The highest id seen at the last look, and the snapshot's <c>xmax</c> then.</summary>
    public long PendingEventId { get; set; }

    public long PendingXmax { get; set; }
}
