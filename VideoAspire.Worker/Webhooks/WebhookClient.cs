using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using VideoAspire.Data.Webhooks;
using VideoAspire.Outbound;
using VideoAspire.Telemetry;

namespace VideoAspire.Worker.Webhooks;

/// <summary>
/// One attempt at one message: POST the signed body, within <c>Notifications:RequestTimeout</c>, reading at most
/// <c>Notifications:MaxResponseBytes</c> of the answer, through <see cref="OutboundGuard"/> (no inner address, no
/// redirect). Its own HttpClient, not the factory's: the shared resilience pipeline would retry and follow its own
/// timeouts, where the retry schedule here is the message's.
/// </summary>
public sealed class WebhookClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;

    public WebhookClient(IOptions<NotificationOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var handler = new OutboundGuard(_options.ParsedAllowedNetworks()).CreateHandler(_options.RequestTimeout);
        handler.MaxResponseDrainSize = _options.MaxResponseBytes;
        handler.MaxResponseHeadersLength = 16; // KiB
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("VideoAspire-Webhooks/1.0");
    }

    public async Task<WebhookOutcome> AttemptAsync(WebhookMessage message, CancellationToken stopping)
    {
        var now = _time.GetUtcNow();
        var body = message.Body(now);
        using var request = new HttpRequestMessage(HttpMethod.Post, message.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", message.MessageId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", message.Signature(body, now));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.RequestTimeout);
        var started = Stopwatch.GetTimestamp();
        string kind;
        int? code = null;
        string? error = null;
        var succeeded = false;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                succeeded = !message.IsVerification || message.IsEchoed(await ReadCappedAsync(response, timeout.Token));
                error = succeeded ? null : "The answer did not echo the verification challenge.";
            }
            else
            {
                error = (int)response.StatusCode is >= 300 and < 400
                    ? $"Answered {(int)response.StatusCode} (redirects are not followed)."
                    : $"Answered {(int)response.StatusCode}.";
            }

            kind = succeeded ? "success" : "http-error";
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            kind = "timeout";
            error = $"No answer within {_options.RequestTimeout.TotalSeconds:0.#} s.";
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && ex.InnerException is not SocketException)
        {
            kind = "refused";
            error = ex.Message; // the guard's: an address that is not public
        }
        catch (HttpRequestException ex)
        {
            kind = "network";
            error = ex.Message;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        VideoAspireTelemetry.WebhookAttempts.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", kind));
        var latency = (int)Math.Min(int.MaxValue, elapsed.TotalMilliseconds);
        var at = _time.GetUtcNow();
        if (succeeded)
        {
            return new WebhookOutcome(message, DeliveryStatus.Delivered, at, true, at, code, latency);
        }

        var retryAfter = _options.RetryAfter(message.Attempts + 1, Random.Shared.NextDouble());
        return retryAfter is { } wait
            ? new WebhookOutcome(message, DeliveryStatus.Pending, at + wait, true, at, code, latency, Truncate(error))
            : new WebhookOutcome(message, DeliveryStatus.Failed, at, true, at, code, latency, Truncate(error));
    }

    private async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[_options.MaxResponseBytes];
        var read = 0;
        int count;
        while (read < buffer.Length && (count = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += count;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string? Truncate(string? error) => error is { Length: > 500 } ? error[..500] : error;

    public void Dispose() => _http.Dispose();
}
