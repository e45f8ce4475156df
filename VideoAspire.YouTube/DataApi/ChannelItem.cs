namespace VideoAspire.YouTube.DataApi;

internal sealed record ChannelItem(string? Id, ChannelSnippet? Snippet, ChannelContentDetails? ContentDetails);
