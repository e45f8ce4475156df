namespace VideoAspire.YouTube.DataApi;

internal sealed record RelatedPlaylists(string? Uploads);
