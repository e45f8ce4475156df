namespace VideoAspire.YouTube.WebSub;

/// <summary>A video YouTube's hub says was uploaded or changed, as of <see cref="Updated"/>.</summary>
public sealed record PushedVideo(string ChannelId, FetchedVideo Video, DateTimeOffset Updated);
