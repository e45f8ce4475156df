using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoAspire.Catalog.Telemetry;

namespace VideoAspire.Catalog.YouTube;

/// <summary>
/// Asks YouTube about a channel: the Data API when a key is configured, the Atom feed when there is no key or the
/// API reports quota, key or availability problems. A kind of a channel is its kind playlist, read from the same
/// source; a channel not stored yet has its uploads read too (a stored channel always has its uploads).
/// </summary>
public sealed partial class YouTubeVideoSource(
    YouTubeDataApiClient dataApi,
    YouTubeFeedClient feed,
    IOptions<YouTubeOptions> options,
    ILogger<YouTubeVideoSource> logger)
{
    /// <param name="kind">The kind asked for: <see cref="VideoKind.All"/> reads the uploads playlist.</param>
    /// <param name="channelStored">The channel's uploads are stored already: a specific kind reads only its playlist.</param>
    public async Task<FetchResult> FetchAsync(string channelId, CancellationToken cancellationToken,
        VideoKind kind = VideoKind.All, bool channelStored = false)
    {
        using var activity = CatalogTelemetry.ActivitySource.StartActivity("fetch channel from YouTube", ActivityKind.Client);
        activity?.SetTag("videoaspire.channel_id", channelId);
        activity?.SetTag("videoaspire.kind", kind.Name());
        var started = Stopwatch.GetTimestamp();
        var failures = new List<string>(2);

        if (options.Value.HasApiKey)
        {
            var (result, failure) = await FetchFromAsync(YouTubeDataApiClient.SourceName, dataApi.FetchAsync, dataApi.FetchKindAsync);
            Record(YouTubeDataApiClient.SourceName, result, failure);
            if (result is not null)
            {
                return Done(result);
            }

            failures.Add($"{YouTubeDataApiClient.SourceName}: {failure}");
        }

        var (feedResult, feedFailure) = await FetchFromAsync(YouTubeFeedClient.SourceName, feed.FetchAsync, feed.FetchKindAsync);
        Record(YouTubeFeedClient.SourceName, feedResult, feedFailure);
        if (feedResult is not null)
        {
            return Done(feedResult);
        }

        failures.Add($"{YouTubeFeedClient.SourceName}: {feedFailure}");
        return Done(new FetchResult.Unavailable(string.Join("; ", failures)));

        // One source answers the whole question (uploads and kind), or the next source is asked all of it.
        async Task<(FetchResult? Result, SourceFailure? Failure)> FetchFromAsync(
            string source,
            Func<string, CancellationToken, Task<(FetchResult? Result, SourceFailure? Failure)>> fetchUploads,
            Func<string, VideoKind, CancellationToken, Task<(IReadOnlyList<FetchedVideo>? Videos, SourceFailure? Failure)>> fetchKind)
        {
            ChannelSnapshot? uploads = null;
            if (kind == VideoKind.All || !channelStored)
            {
                var (result, failure) = await fetchUploads(channelId, cancellationToken);
                if (kind == VideoKind.All || result is not FetchResult.Found found)
                {
                    return (result, failure);
                }

                uploads = found.Snapshot;
            }

            var (kindVideos, kindFailure) = await fetchKind(channelId, kind, cancellationToken);
            if (kindFailure is not null)
            {
                return (null, kindFailure);
            }

            CatalogTelemetry.RecordKindPlaylist(kind, kindVideos is null ? "missing" : "found");
            if (kindVideos is null)
            {
                LogKindPlaylistMissing(kind.PlaylistId(channelId), channelId, kind);
            }

            return (new FetchResult.Found(WithKind(channelId, uploads, kind, kindVideos ?? [], source)) { KindPlaylistMissing = kindVideos is null }, null);
        }

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

    /// <summary>
    /// One snapshot of what was read: the uploads (if read), each marked with the kind when the kind playlist lists it,
    /// and the kind playlist's videos (older ones included, which the uploads page may not reach).
    /// </summary>
    internal static ChannelSnapshot WithKind(
        string channelId, ChannelSnapshot? uploads, VideoKind kind, IReadOnlyList<FetchedVideo> kindVideos, string source)
    {
        var ofKind = kindVideos.ToDictionary(v => v.VideoId, StringComparer.Ordinal);
        var videos = (uploads?.Videos ?? [])
            .Select(v => ofKind.Remove(v.VideoId, out var listed) ? v with { Kind = kind, Title = listed.Title } : v)
            .Concat(ofKind.Values)
            .ToList();
        return new ChannelSnapshot(channelId, uploads?.Title, videos, source, uploads?.FetchedAt ?? DateTimeOffset.UtcNow,
            Playlists: uploads is null ? [kind] : [VideoKind.All, kind]);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "YouTube has no playlist {PlaylistId}: channel {ChannelId} has no {Kind}")]
    private partial void LogKindPlaylistMissing(string playlistId, string channelId, VideoKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {ChannelId} from YouTube: {Outcome} via {Source} in {ElapsedMilliseconds:F0} ms")]
    private partial void LogFetched(string channelId, string outcome, string? source, double elapsedMilliseconds);
}
