namespace VideoAspire.YouTube.DataApi;

internal sealed record ChannelSnippet(string? Title);
