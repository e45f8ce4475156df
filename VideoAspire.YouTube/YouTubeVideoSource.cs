using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoAspire.Domain.Ports;
using VideoAspire.Telemetry;

namespace VideoAspire.YouTube;

/// <summary>
/// Asks YouTube about a channel: each enabled <see cref="IChannelSource"/> in registration order (the Data API when a
/// key is configured, then the Atom feed) until one answers; quota, key or availability problems pass the question on.
/// A kind of a channel is its kind playlist, read from the same source; a channel not stored yet has its uploads read
/// too (a stored channel always has its uploads).
/// </summary>
public sealed partial class YouTubeVideoSource(
    IEnumerable<IChannelSource> sources,
    TimeProvider timeProvider,
    ILogger<YouTubeVideoSource> logger)
{
    /// <param name="kind">The kind asked for: <see cref="VideoKind.All"/> reads the uploads playlist.</param>
    /// <param name="payer">Whom the Data API's units are counted against.</param>
    /// <param name="channelStored">The channel's uploads are stored already: a specific kind reads only its playlist.</param>
    public async Task<FetchResult> FetchAsync(string channelId, QuotaPayer payer, CancellationToken cancellationToken,
        VideoKind kind = VideoKind.All, bool channelStored = false)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("fetch channel from YouTube", ActivityKind.Client);
        activity?.SetTag("videoaspire.channel_id", channelId);
        activity?.SetTag("videoaspire.kind", kind.Name());
        var started = timeProvider.GetTimestamp();
        var failures = new List<string>(2);

        foreach (var source in sources.Where(source => source.IsEnabled))
        {
            var (result, failure) = await FetchFromAsync(source);
            Record(source.Name, result, failure);
            if (result is not null)
            {
                return Done(result);
            }

            failures.Add($"{source.Name}: {failure}");
        }

        return Done(new FetchResult.Unavailable(string.Join("; ", failures)));

        // One source answers the whole question (uploads and kind), or the next source is asked all of it.
        async Task<(FetchResult? Result, SourceFailure? Failure)> FetchFromAsync(IChannelSource source)
        {
            ChannelSnapshot? uploads = null;
            if (kind == VideoKind.All || !channelStored)
            {
                var (result, failure) = await source.FetchAsync(channelId, payer, cancellationToken);
                if (kind == VideoKind.All || result is not FetchResult.Found found)
                {
                    return (result, failure);
                }

                uploads = found.Snapshot;
            }

            var (kindVideos, kindFailure) = await source.FetchKindAsync(channelId, kind, payer, cancellationToken);
            if (kindFailure is not null)
            {
                return (null, kindFailure);
            }

            VideoAspireTelemetry.RecordKindPlaylist(kind, kindVideos is null ? "missing" : "found");
            if (kindVideos is null)
            {
                var playlistId = kind.PlaylistId(channelId);
                LogKindPlaylistMissing(playlistId, channelId, kind);
            }

            return (new FetchResult.Found(WithKind(channelId, uploads, kind, kindVideos ?? [], source.Name, timeProvider.GetUtcNow())) { KindPlaylistMissing = kindVideos is null }, null);
        }

        FetchResult Done(FetchResult result)
        {
            var outcome = Outcome(result);
            activity?.SetTag("videoaspire.outcome", outcome);
            if (result is FetchResult.Unavailable)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            var elapsed = timeProvider.GetElapsedTime(started);
            LogFetched(channelId, outcome, (result as FetchResult.Found)?.Snapshot.Source, elapsed.TotalMilliseconds);
            return result;
        }
    }

    /// <summary>
    /// One snapshot of what was read: the uploads (if read), each marked with the kind when the kind playlist lists it,
    /// and the kind playlist's videos (older ones included, which the uploads page may not reach).
    /// </summary>
    internal static ChannelSnapshot WithKind(
        string channelId, ChannelSnapshot? uploads, VideoKind kind, IReadOnlyList<FetchedVideo> kindVideos, string source, DateTimeOffset now)
    {
        var ofKind = kindVideos.ToDictionary(v => v.VideoId, StringComparer.Ordinal);
        var videos = (uploads?.Videos ?? [])
            .Select(v => ofKind.Remove(v.VideoId, out var listed) ? v with { Kind = kind, Title = listed.Title } : v)
            .Concat(ofKind.Values)
            .ToList();
        return new ChannelSnapshot(channelId, uploads?.Title, videos, source, uploads?.FetchedAt ?? now,
            Playlists: uploads is null ? [kind] : [VideoKind.All, kind]);
    }

    private static void Record(string source, FetchResult? result, SourceFailure? failure) =>
        VideoAspireTelemetry.UpstreamCalls.Add(1,
            new KeyValuePair<string, object?>("source", source),
            new KeyValuePair<string, object?>("purpose", "listing"),
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
