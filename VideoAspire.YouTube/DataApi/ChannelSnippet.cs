namespace VideoAspire.YouTube.DataApi;

/// <param name="CustomUrl">The channel's handle, lower-cased with its <c>@</c> (YouTube's name for it).</param>
internal sealed record ChannelSnippet(string? Title, string? CustomUrl = null);
