using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoAspire.Domain.Ports;
using VideoAspire.YouTube.DataApi;

namespace VideoAspire.YouTube;

/// <summary>
/// YouTube Data API v3, two calls of one quota unit each: <c>channels.list</c> (does the channel exist, which is
/// its uploads playlist, what is its title), then <c>playlistItems.list</c> on that playlist. Never <c>search.list</c>.
/// A kind of a channel is one more <c>playlistItems.list</c> (one unit) on the kind's playlist.
/// </summary>
public sealed partial class YouTubeDataApiClient(
    HttpClient http, IDataApiQuota quota, IOptions<YouTubeOptions> options, TimeProvider timeProvider, ILogger<YouTubeDataApiClient> logger)
    : IChannelSource
{
    public const string SourceName = "data-api";

    public string Name => SourceName;

    /// <summary>Only with an API key.</summary>
    public bool IsEnabled => options.Value.HasApiKey;

    /// <summary>The channel, <see cref="FetchResult.NotFound"/>, or the failure that should send us to the next source.</summary>
    public async Task<(FetchResult? Result, SourceFailure? Failure)> FetchAsync(string channelId, QuotaPayer payer, CancellationToken cancellationToken)
    {
        var key = Uri.EscapeDataString(options.Value.ApiKey ?? "");

        var channels = await GetAsync(
            $"youtube/v3/channels?part=snippet,contentDetails&id={channelId}&key={key}",
            YouTubeJsonContext.Default.ChannelListResponse, payer, cancellationToken);
        if (channels.Failure is { } channelFailure)
        {
            return (null, channelFailure);
        }

        // An unknown channel is a 200 with no items, not a 404.
        var channel = channels.Body?.Items?.FirstOrDefault(c => c.Id == channelId);
        if (channel is null)
        {
            return (new FetchResult.NotFound(SourceName), null);
        }

        var uploads = channel.ContentDetails?.RelatedPlaylists?.Uploads ?? VideoKind.All.PlaylistId(channelId);
        var (videos, failure) = await GetPlaylistAsync(uploads, kind: null, key, payer, cancellationToken);
        if (failure is not null)
        {
            return (null, failure);
        }

        // playlistNotFound for a channel that exists: it has no uploads.
        return (new FetchResult.Found(new ChannelSnapshot(channelId, channel.Snippet?.Title, videos ?? [], SourceName, timeProvider.GetUtcNow())), null);
    }

    /// <summary>
    /// Which channel a handle (<c>forHandle</c>) or legacy username (<c>forUsername</c>) names: one unit. Unknown is a 200
    /// with no items, as for an id.
    /// </summary>
    public async Task<(ChannelResolution? Result, string? Failure)> FindChannelAsync(
        ChannelReference reference, QuotaPayer payer, CancellationToken cancellationToken)
    {
        var filter = reference.Kind switch
        {
            ChannelReferenceKind.Handle => "forHandle=" + Uri.EscapeDataString("@" + reference.Name),
            ChannelReferenceKind.Username => "forUsername=" + Uri.EscapeDataString(reference.Name),
            _ => throw new ArgumentException("Only handles and usernames have a Data API lookup.", nameof(reference)),
        };

        var channels = await GetAsync(
            $"youtube/v3/channels?part=id,snippet&{filter}&key={Uri.EscapeDataString(options.Value.ApiKey ?? "")}",
            YouTubeJsonContext.Default.ChannelListResponse, payer, cancellationToken);
        if (channels.Failure is { } failure)
        {
            return (null, failure.ToString());
        }

        return channels.Body?.Items?.FirstOrDefault(c => ChannelId.IsValid(c.Id)) is { } channel
            ? (new ChannelResolution.Found(channel.Id!, channel.Snippet?.CustomUrl, channel.Snippet?.Title, SourceName), null)
            : (new ChannelResolution.NotFound(SourceName), null);
    }

    /// <summary>The newest videos of the channel's playlist of <paramref name="kind"/> (one unit); null when YouTube has
    /// no such playlist (playlistNotFound: none of that kind, or the unpublished scheme stopped working).</summary>
    public Task<(IReadOnlyList<FetchedVideo>? Videos, SourceFailure? Failure)> FetchKindAsync(
        string channelId, VideoKind kind, QuotaPayer payer, CancellationToken cancellationToken) =>
        GetPlaylistAsync(kind.PlaylistId(channelId), kind, Uri.EscapeDataString(options.Value.ApiKey ?? ""), payer, cancellationToken);

    private async Task<(IReadOnlyList<FetchedVideo>? Videos, SourceFailure? Failure)> GetPlaylistAsync(
        string playlistId, VideoKind? kind, string key, QuotaPayer payer, CancellationToken cancellationToken)
    {
        var items = await GetAsync(
            $"youtube/v3/playlistItems?part=snippet,contentDetails&playlistId={Uri.EscapeDataString(playlistId)}&maxResults={options.Value.PageSize}&key={key}",
            YouTubeJsonContext.Default.PlaylistItemListResponse, payer, cancellationToken);
        if (items.NotFound)
        {
            return (null, null);
        }

        if (items.Failure is { } failure)
        {
            return (null, failure);
        }

        return ((items.Body?.Items ?? [])
            // Private and deleted videos have no videoPublishedAt: they are not uploads a caller can watch.
            .Where(i => i.ContentDetails?.VideoId is { Length: > 0 } && i.ContentDetails.VideoPublishedAt is not null)
            .Select(i => new FetchedVideo(i.ContentDetails!.VideoId!, i.Snippet?.Title ?? "", i.ContentDetails.VideoPublishedAt!.Value, kind))
            .ToList(), null);
    }

    private async Task<(T? Body, bool NotFound, SourceFailure? Failure)> GetAsync<T>(
        string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, QuotaPayer payer, CancellationToken cancellationToken)
    {
        // Every call costs a unit (invalid ones too): reserved from the shared daily budget first.
        if (!await quota.TryReserveAsync(1, payer, options.Value.QuotaLimits))
        {
            return (default, false, SourceFailure.QuotaExceeded);
        }

        // One budget for headers AND body: the resilience handler's timeouts end when the headers arrive, so a server
        // that sends them and then stalls would otherwise hold the call (and the channel's single flight) for good.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.TotalTimeout);
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, budget.Token);
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync(typeInfo, budget.Token), false, null);
            }

            var error = await ReadErrorAsync(response, budget.Token);
            var reasons = error?.Errors?.Select(e => e.Reason).Concat(error.Details?.Select(d => d.Reason) ?? []) ?? [];
            var failure = Classify(response.StatusCode, reasons);
            LogApiError((int)response.StatusCode, string.Join(",", reasons), error?.Message, failure?.ToString() ?? "not found");
            return (default, failure is null, failure);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or JsonException or Polly.ExecutionRejectedException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogApiUnreachable(ex);
            return (default, false, SourceFailure.Unavailable);
        }
    }

    /// <returns>The failure, or null for a 404 that means "not found".</returns>
    internal static SourceFailure? Classify(HttpStatusCode status, IEnumerable<string?> reasons)
    {
        var set = reasons.Where(r => r is not null).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (set.Overlaps(["quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded", "userRateLimitExceeded"]))
        {
            return SourceFailure.QuotaExceeded;
        }

        if (set.Overlaps(["keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "accessNotConfigured", "forbidden"])
            || status is HttpStatusCode.Unauthorized)
        {
            return SourceFailure.KeyInvalid;
        }

        return status == HttpStatusCode.NotFound ? null : SourceFailure.Unavailable;
    }

    private static async Task<ApiError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync(YouTubeJsonContext.Default.ApiErrorResponse, cancellationToken))?.Error;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or HttpRequestException)
        {
            return null; // not YouTube's JSON (a proxy's HTML page, say): the status code alone decides
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube Data API answered {StatusCode} ({Reasons}: {ErrorMessage}); treated as {Failure}")]
    private partial void LogApiError(int statusCode, string reasons, string? errorMessage, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "YouTube Data API unreachable")]
    private partial void LogApiUnreachable(Exception exception);
}
