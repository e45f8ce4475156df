namespace VideoAspire.YouTube.DataApi;

internal sealed record PlaylistItem(PlaylistItemSnippet? Snippet, PlaylistItemContentDetails? ContentDetails);
