using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoAspire.Catalog.Telemetry;

namespace VideoAspire.Catalog.YouTube;

/// <summary>
/// Asks YouTube about a channel: the Data API when a key is configured, the Atom feed when there is no key or the
/// API reports quota, key or availability problems.
/// </summary>
public sealed partial class YouTubeVideoSource(
    YouTubeDataApiClient dataApi,
    YouTubeFeedClient feed,
    IOptions<YouTubeOptions> options,
    ILogger<YouTubeVideoSource> logger)
{
    public async Task<FetchResult> FetchAsync(string channelId, CancellationToken cancellationToken)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("fetch channel from YouTube", ActivityKind.Client);
        activity?.SetTag("videoaspire.channel_id", channelId);
        var started = Stopwatch.GetTimestamp();
        var failures = new List<string>(2);

        if (options.Value.HasApiKey)
        {
            var (result, failure) = await dataApi.FetchAsync(channelId, cancellationToken);
            Record(YouTubeDataApiClient.SourceName, result, failure);
            if (result is not null)
            {
                return Done(result);
            }

            failures.Add($"{YouTubeDataApiClient.SourceName}: {failure}");
        }

        var (feedResult, feedFailure) = await feed.FetchAsync(channelId, cancellationToken);
        Record(YouTubeFeedClient.SourceName, feedResult, feedFailure);
        if (feedResult is not null)
        {
            return Done(feedResult);
        }

        failures.Add($"{YouTubeFeedClient.SourceName}: {feedFailure}");
        return Done(new FetchResult.Unavailable(string.Join("; ", failures)));

        FetchResult Done(FetchResult result)
        {
            var outcome = Outcome(result);
            activity?.SetTag("videoaspire.outcome", outcome);
            if (result is FetchResult.Unavailable)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            LogFetched(channelId, outcome, (result as FetchResult.Found)?.Snapshot.Source, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
    }

    private static void Record(string source, FetchResult? result, SourceFailure? failure) =>
        CatalogTelemetry.UpstreamCalls.Add(1,
            new KeyValuePair<string, object?>("source", source),
            new KeyValuePair<string, object?>("outcome", result is not null ? Outcome(result) : failure.ToString()));

    private static string Outcome(FetchResult result) => result switch
    {
        FetchResult.Found => "found",
        FetchResult.NotFound => "not-found",
        _ => "unavailable",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {ChannelId} from YouTube: {Outcome} via {Source} in {ElapsedMilliseconds:F0} ms")]
    private partial void LogFetched(string channelId, string outcome, string? source, double elapsedMilliseconds);
}
