using System.Globalization;
using Microsoft.Extensions.Options;
using VideoAspire.Telemetry;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Worker.WebSub;

/// <summary>
/// Asks YouTube's WebSub hub to (un)subscribe our callback to a channel's topic. The hub answers 202 and verifies
/// the intent afterwards by calling the callback, which records the outcome.
/// </summary>
public sealed partial class WebSubHubClient(HttpClient http, IOptions<WebSubOptions> options, ILogger<WebSubHubClient> logger)
{
    /// <returns>True when the hub accepted the request (it will verify it).</returns>
    public async Task<bool> RequestAsync(string mode, string channelId, string callbackToken, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["hub.mode"] = mode,
            ["hub.topic"] = WebSubTopic.Of(channelId),
            ["hub.callback"] = settings.CallbackUrl + "/" + callbackToken,
            ["hub.lease_seconds"] = settings.LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["hub.secret"] = settings.Secret!,
            ["hub.verify"] = "async", // PubSubHubbub 0.3 hubs want it; 0.4 ones ignore it
        });

        string outcome;
        try
        {
            using var response = await http.PostAsync(settings.HubUrl, form, cancellationToken);
            outcome = response.IsSuccessStatusCode ? "accepted" : $"http-{(int)response.StatusCode}";
            if (!response.IsSuccessStatusCode)
            {
                LogRefused(mode, channelId, (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            outcome = "unreachable";
            LogUnreachable(ex, mode, channelId);
        }

        VideoAspireTelemetry.WebSubRequests.Add(1, new("mode", mode), new("outcome", outcome));
        return outcome == "accepted";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub refused to {Mode} {ChannelId}: HTTP {StatusCode}")]
    private partial void LogRefused(string mode, string channelId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub unreachable for {Mode} {ChannelId}")]
    private partial void LogUnreachable(Exception exception, string mode, string channelId);
}
