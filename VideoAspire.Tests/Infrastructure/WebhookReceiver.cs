using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>How a test endpoint answers.</summary>
public enum ReceiverMode
{
    /// <summary>Echoes a verification's challenge, answers every event 200.</summary>
    Ok,

    /// <summary>Verifies, then answers events 500 until <see cref="ReceiverEndpoint.FailuresLeft"/> runs out.</summary>
    FailThenRecover,

    /// <summary>Verifies, then never answers an event.</summary>
    Silent,

    /// <summary>Verifies, then answers events with a redirect to <see cref="ReceiverEndpoint.RedirectTo"/>.</summary>
    Redirect,

    /// <summary>Answers everything 200 without echoing a challenge.</summary>
    NoEcho,
}

/// <summary>One message as a receiver got it: the Standard Webhooks headers and the raw body.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public bool IsVerification => Type == "webhook.verification";

    /// <summary>
    /// Whether one of the message's signatures (<c>v1,…</c>, space-separated) verifies with the secret, as Standard Webhooks
    /// asks of a receiver. Each is given to the package's <c>Verify</c> alone: StandardWebhooks 1.1.2 checks only the
    /// first of several (its loop ends before the last).
    /// </summary>
    public bool VerifiesWith(string secret) => Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(signature =>
    {
        try
        {
            new StandardWebhook(secret).Verify(Body, new HeaderDictionary
            {
                ["webhook-id"] = Id,
                ["webhook-timestamp"] = Timestamp,
                ["webhook-signature"] = signature,
            });
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    });
}

public sealed class ReceiverEndpoint(string name, ReceiverMode mode)
{
    public string Name { get; } = name;
    public ReceiverMode Mode { get; } = mode;
    public int FailuresLeft { get; set; }
    public string? RedirectTo { get; set; }
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The events received (not the verification), in order.</summary>
    public List<ReceivedWebhook> Events => [.. Received.Where(r => !r.IsVerification)];
}

/// <summary>
/// Webhook receivers over real HTTP, on 127.0.0.2: the test AppHost's allow-list (<c>Notifications:AllowedNetworks</c>)
/// names only that address, so 127.0.0.1 stays refused as any loopback address is.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Address = "127.0.0.2";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ReceiverEndpoint> _endpoints = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["AllowedHosts"] = "*";
        builder.WebHost.UseUrls($"http://{Address}:0");
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/hooks/{name}", receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver._app.Urls.Single();
        return receiver;
    }

    public ReceiverEndpoint Add(ReceiverMode mode = ReceiverMode.Ok)
    {
        var endpoint = new ReceiverEndpoint(Guid.NewGuid().ToString("N")[..12], mode);
        _endpoints[endpoint.Name] = endpoint;
        return endpoint;
    }

    public string UrlOf(ReceiverEndpoint endpoint) => $"{BaseUrl}/hooks/{endpoint.Name}";

    private async Task<IResult> ReceiveAsync(string name, HttpContext context)
    {
        if (!_endpoints.TryGetValue(name, out var endpoint))
        {
            return Results.NotFound();
        }

        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var received = new ReceivedWebhook(context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow);
        endpoint.Received.Enqueue(received);
        if (received.IsVerification)
        {
            return endpoint.Mode == ReceiverMode.NoEcho
                ? Results.Ok()
                : Results.Json(new { challenge = received.Json.GetProperty("data").GetProperty("challenge").GetString() });
        }

        switch (endpoint.Mode)
        {
            case ReceiverMode.Silent:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return Results.Empty;
            case ReceiverMode.FailThenRecover when endpoint.FailuresLeft > 0:
                endpoint.FailuresLeft--;
                return Results.StatusCode(500);
            case ReceiverMode.Redirect:
                return Results.Redirect(endpoint.RedirectTo!);
            default:
                return Results.NoContent();
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
