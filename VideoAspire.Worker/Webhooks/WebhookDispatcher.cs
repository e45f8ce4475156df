using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using VideoAspire.Data.Webhooks;
using VideoAspire.Telemetry;

namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// The Worker's webhook loop, on every replica: fan new outbox events out to messages (<see cref="WebhookFanout"/>),
/// claim due messages up to <c>Notifications:MaxInFlight</c> held, send each as its endpoint's turn comes
/// (<see cref="EndpointGates"/>), and write the outcomes back in batches. A message whose endpoint already holds its
/// share is handed back at once, so one silent endpoint never fills a replica.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookFanout fanout,
    WebhookStore store,
    WebhookClient client,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan HandBack = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BacklogEvery = TimeSpan.FromSeconds(10);

    private readonly NotificationOptions _options = options.Value;
    private readonly Channel<WebhookOutcome> _outcomes = Channel.CreateUnbounded<WebhookOutcome>(new() { SingleReader = true });
    private readonly EndpointGates _gates = new(options.Value.ConcurrencyPerEndpoint, options.Value.EndpointQueueLimit);
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = Task.Run(() => WriteOutcomesAsync(), CancellationToken.None);
        var failures = 0;
        var nextBacklog = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var (_, more) = await fanout.RunOnceAsync(stoppingToken);
                    var claimed = await ClaimAndSendAsync(stoppingToken);
                    if (time.GetUtcNow() >= nextBacklog)
                    {
                        nextBacklog = time.GetUtcNow() + BacklogEvery;
                        var (due, oldest, disabled) = await store.BacklogAsync(stoppingToken);
                        VideoAspireTelemetry.ReportWebhookBacklog(due, oldest, disabled);
                    }

                    failures = 0;
                    if (!more && claimed == 0)
                    {
                        await Task.Delay(_options.PollInterval, time, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    LogDatabaseFailure(ex, failures);
                    await Task.Delay(Backoff.Delay(failures, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // What is still held is abandoned (its attempts see the stop); outcomes already known are written.
            _outcomes.Writer.TryComplete();
            await writer;
        }
    }

    private async Task<int> ClaimAndSendAsync(CancellationToken stoppingToken)
    {
        var room = _options.MaxInFlight - Volatile.Read(ref _inFlight);
        if (room <= 0)
        {
            return 0;
        }

        var claimed = await store.ClaimAsync(room, _options.Lease, stoppingToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var over = new Dictionary<string, int>(await store.CountAgainstDayAsync(
            claimed.Where(m => m.Attempts == 0 && !m.IsVerification).GroupBy(m => m.Owner, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            _options.DeliveriesPerCallerPerDay, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), stoppingToken), StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var message in claimed)
        {
            if (!message.HasContent)
            {
                Settle(new WebhookOutcome(message, DeliveryStatus.Dropped, now, false, now, Error: "Its event was pruned before it could be sent."));
            }
            else if (message.Attempts == 0 && !message.IsVerification && over.TryGetValue(message.Owner, out var excess) && excess > 0)
            {
                over[message.Owner] = excess - 1;
                Settle(new WebhookOutcome(message, DeliveryStatus.Dropped, now, false, now,
                    Error: "The caller's deliveries of the day are used up (Notifications:DeliveriesPerCallerPerDay)."));
            }
            else if (_gates.TryEnter(message.Url) is { } gate)
            {
                Interlocked.Increment(ref _inFlight);
                _ = SendAsync(message, gate, stoppingToken);
            }
            else
            {
                _outcomes.Writer.TryWrite(new WebhookOutcome(message, DeliveryStatus.Pending, now + HandBack, false, now));
            }
        }

        return claimed.Count;
    }

    private async Task SendAsync(WebhookMessage message, EndpointGates.Gate gate, CancellationToken stoppingToken)
    {
        try
        {
            await gate.WaitAsync(stoppingToken);
            try
            {
                Settle(await client.AttemptAsync(message, stoppingToken));
            }
            finally
            {
                gate.ReleaseSlot();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: its lease hands it to another replica (or to this one after the restart).
        }
        catch (Exception ex)
        {
            LogSendFailure(ex, message.MessageId);
        }
        finally
        {
            gate.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Settle(WebhookOutcome outcome)
    {
        if (outcome.Status != DeliveryStatus.Pending)
        {
            VideoAspireTelemetry.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Status),
                new KeyValuePair<string, object?>("type", outcome.Message.Type));
        }

        if (outcome.Succeeded && outcome.Message.OccurredAt is { } occurred)
        {
            VideoAspireTelemetry.WebhookLag.Record((outcome.At - occurred).TotalSeconds);
        }

        _outcomes.Writer.TryWrite(outcome);
    }

    /// <summary>Outcomes in batches (what has arrived meanwhile, up to 2,000); a batch PostgreSQL refuses is tried again.</summary>
    private async Task WriteOutcomesAsync()
    {
        var batch = new List<WebhookOutcome>();
        var failures = 0;
        while (await _outcomes.Reader.WaitToReadAsync() || batch.Count > 0)
        {
            while (batch.Count < 2_000 && _outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            try
            {
                await store.RecordAsync(batch, _options.DisableAfter, CancellationToken.None);
                batch.Clear();
                failures = 0;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                failures++;
                LogDatabaseFailure(ex, failures);
                if (failures > 20 && _outcomes.Reader.Completion.IsCompleted)
                {
                    return; // stopping with PostgreSQL gone: the leases hand these messages out again
                }

                await Task.Delay(Backoff.Delay(failures, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)), time);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery cannot reach PostgreSQL (failure {Failures} in a row)")]
    private partial void LogDatabaseFailure(Exception exception, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook message {MessageId} failed unexpectedly: its lease hands it out again")]
    private partial void LogSendFailure(Exception exception, string messageId);
}
