namespace VideoAspire.YouTube.DataApi;

internal sealed record PlaylistItemSnippet(string? Title, DateTimeOffset? PublishedAt);
