namespace VideoAspire.YouTube.DataApi;

internal sealed record ChannelContentDetails(RelatedPlaylists? RelatedPlaylists);
