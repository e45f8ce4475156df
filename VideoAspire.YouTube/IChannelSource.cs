using VideoAspire.Domain.Ports;

namespace VideoAspire.YouTube;

/// <summary>
/// One place a channel's videos can be read from. <see cref="YouTubeVideoSource"/> asks the registered sources in
/// registration order until one answers; a new source is a class implementing this and one line in
/// <see cref="YouTubeExtensions.AddYouTubeSource"/>.
/// </summary>
public interface IChannelSource
{
    /// <summary>The name in snapshots, logs and metrics (<c>source</c> tag).</summary>
    string Name { get; }

    /// <summary>False when the source cannot be asked at all (no API key): it is skipped.</summary>
    bool IsEnabled { get; }

    /// <summary>The channel's uploads; a failure says why this source could not answer (the next one is asked).</summary>
    /// <param name="payer">Whom a quota-metered source counts the call against.</param>
    Task<(FetchResult? Result, SourceFailure? Failure)> FetchAsync(string channelId, QuotaPayer payer, CancellationToken cancellationToken);

    /// <summary>The newest videos of the channel's playlist of <paramref name="kind"/>; null videos when there is none.</summary>
    Task<(IReadOnlyList<FetchedVideo>? Videos, SourceFailure? Failure)> FetchKindAsync(
        string channelId, VideoKind kind, QuotaPayer payer, CancellationToken cancellationToken);
}
