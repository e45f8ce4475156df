namespace VideoAspire.YouTube.DataApi;

internal sealed record PlaylistItemContentDetails(string? VideoId, DateTimeOffset? VideoPublishedAt);
