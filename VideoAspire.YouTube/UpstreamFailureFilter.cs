using System.Collections.Concurrent;
using System.Net;
using Polly;
using Polly.Timeout;

namespace VideoAspire.YouTube;

/// <summary>
/// Decides which failed calls may open a source's circuit breaker, the one that protects the whole upstream: only
/// failures that speak for the upstream. Transport failures and timeouts always do; an error status (5xx, 408, 429)
/// counts once per channel per sampling window, so a few channels that keep failing (their own 5xx, asked again and
/// again) cannot open it for every other channel, while the same status across many channels (a real outage) does.
/// </summary>
public sealed class UpstreamFailureFilter(TimeProvider timeProvider)
{
    /// <summary>Channels remembered at once; past it the memory starts afresh (a flood of ids then counts, as it should).</summary>
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, long> _lastCounted = new(StringComparer.Ordinal);

    public bool CountsAgainstUpstream(Outcome<HttpResponseMessage> outcome, TimeSpan window)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        if (outcome.Result is not { } response || !IsErrorStatus(response.StatusCode))
        {
            return false;
        }

        // Keyed by endpoint too: the Data API and the feed are separate upstreams, each with its own breaker.
        var uri = response.RequestMessage?.RequestUri;
        return ChannelOf(uri) is not { } channel || FirstInWindow($"{uri!.AbsolutePath} {channel}", window);
    }

    private bool FirstInWindow(string channel, TimeSpan window)
    {
        var now = timeProvider.GetTimestamp();
        if (_lastCounted.Count >= Capacity)
        {
            _lastCounted.Clear();
        }

        var counted = false;
        _lastCounted.AddOrUpdate(channel,
            _ => { counted = true; return now; },
            (_, last) =>
            {
                counted = timeProvider.GetElapsedTime(last, now) >= window;
                return counted ? now : last;
            });
        return counted;
    }

    private static bool IsErrorStatus(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The channel a Data API or feed request is about (<c>id</c>, <c>playlistId=UU…</c> or <c>channel_id</c>).</summary>
    internal static string? ChannelOf(Uri? uri)
    {
        foreach (var pair in (uri?.Query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=') is var at and > 0 ? (pair[..at], Uri.UnescapeDataString(pair[(at + 1)..])) : (pair, "");
            switch (name)
            {
                case "id" or "channel_id" when ChannelId.IsValid(value):
                    return value;
                case "playlistId" when value.StartsWith("UU", StringComparison.Ordinal) && ChannelId.IsValid("UC" + value[2..]):
                    return "UC" + value[2..];
            }
        }

        return null;
    }
}
