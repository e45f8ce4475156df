namespace VideoAspire.Domain;

/// <summary>One video as an upstream source reported it.</summary>
/// <param name="Kind">Known when the video was listed in a kind playlist (<see cref="VideoKind.Videos"/>, …); null when
/// it was seen only among all uploads or in a push.</param>
public sealed record FetchedVideo(string VideoId, string Title, DateTimeOffset PublishedAt, VideoKind? Kind = null);
