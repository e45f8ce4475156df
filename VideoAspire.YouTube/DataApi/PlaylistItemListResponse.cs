namespace VideoAspire.YouTube.DataApi;

internal sealed record PlaylistItemListResponse(List<PlaylistItem>? Items, string? NextPageToken);
