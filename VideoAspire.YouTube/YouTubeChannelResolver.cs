using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoAspire.Domain.Ports;
using VideoAspire.Telemetry;

namespace VideoAspire.YouTube;

/// <summary>
/// Which channel a handle, legacy username or custom URL names: the Data API first (<c>forHandle</c> or
/// <c>forUsername</c>, one unit), then the keyless channel page. A custom URL (<c>/c/NAME</c>) has no API lookup.
/// </summary>
public sealed partial class YouTubeChannelResolver(
    YouTubeDataApiClient dataApi, ChannelPageClient pages, ILogger<YouTubeChannelResolver> logger)
{
    public async Task<ChannelResolution> ResolveAsync(ChannelReference reference, QuotaPayer payer, CancellationToken cancellationToken)
    {
        if (reference.Kind == ChannelReferenceKind.Id)
        {
            return new ChannelResolution.Found(reference.Name, null, null, "id");
        }

        var started = Stopwatch.GetTimestamp();
        var failures = new List<string>();
        if (reference.Kind != ChannelReferenceKind.CustomUrl && dataApi.IsEnabled)
        {
            var (found, failure) = await dataApi.FindChannelAsync(reference, payer, cancellationToken);
            Record(YouTubeDataApiClient.SourceName, found, failure);
            if (found is not null)
            {
                Log(reference, found, started);
                return found;
            }

            failures.Add($"{YouTubeDataApiClient.SourceName}: {failure}");
        }

        var (page, pageFailure) = await pages.FindChannelAsync(reference, cancellationToken);
        Record(ChannelPageClient.SourceName, page, pageFailure);
        if (page is not null)
        {
            Log(reference, page, started);
            return page;
        }

        failures.Add($"{ChannelPageClient.SourceName}: {pageFailure}");
        return new ChannelResolution.Unavailable(string.Join("; ", failures));
    }

    private void Log(ChannelReference reference, ChannelResolution result, long started)
    {
        var outcome = Describe(result);
        var source = result is ChannelResolution.Found found ? found.Source : ((ChannelResolution.NotFound)result).Source;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogResolved(reference.Key, outcome, source, elapsed);
    }

    private static void Record(string source, ChannelResolution? result, string? failure) =>
        VideoAspireTelemetry.UpstreamCalls.Add(1,
            new KeyValuePair<string, object?>("source", source),
            new KeyValuePair<string, object?>("purpose", "resolve"),
            new KeyValuePair<string, object?>("outcome", result is not null ? Describe(result) : failure));

    private static string Describe(ChannelResolution result) => result switch
    {
        ChannelResolution.Found => "found",
        ChannelResolution.NotFound => "not-found",
        _ => "unavailable",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Resolved {Reference}: {Outcome} via {Source} in {ElapsedMilliseconds:F0} ms")]
    private partial void LogResolved(string reference, string outcome, string source, double elapsedMilliseconds);
}
