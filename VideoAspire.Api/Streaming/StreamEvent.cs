using System.Text.Json.Serialization;

namespace VideoAspire.Api.Streaming;

/// <summary>One event of the stream: an outbox row as clients see it (the <c>data:</c> line's JSON).</summary>
/// <param name="Id">The outbox id: the SSE <c>id:</c>, what <c>Last-Event-ID</c> resumes after.</param>
public sealed record StreamEvent(
    [property: JsonIgnore] long Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("channel_id")] string ChannelId,
    [property: JsonPropertyName("video_id")] string VideoId,
    [property: JsonPropertyName("video_title")] string VideoTitle,
    [property: JsonPropertyName("upload_date")] string UploadDate,
    [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt,
    [property: JsonPropertyName("kind")] string? Kind)
{
    /// <summary>The video fields as a read answers them (<see cref="LatestVideo"/> is the one rule for them).</summary>
    public static StreamEvent From(VideoAspire.Data.VideoEvent row)
    {
        var video = LatestVideo.Create(row.VideoId, row.Title, row.PublishedAt);
        return new(row.Id, row.Type, row.ChannelId, video.VideoId, video.VideoTitle, video.UploadDate, video.PublishedAt, row.Kind?.Name());
    }

    /// <summary>Whether a stream of <paramref name="kind"/> carries this event (an upload of unknown kind only the
    /// all-kinds stream).</summary>
    public bool IsOfKind(VideoKind kind) => kind == VideoKind.All || Kind == kind.Name();
}
