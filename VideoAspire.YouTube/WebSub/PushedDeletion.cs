namespace VideoAspire.YouTube.WebSub;

/// <summary>A video YouTube's hub says was deleted at <see cref="When"/>.</summary>
public sealed record PushedDeletion(string ChannelId, string VideoId, DateTimeOffset When);
