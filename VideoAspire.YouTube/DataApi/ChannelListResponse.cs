namespace VideoAspire.YouTube.DataApi;

// Wire format of the parts we read (https://developers.google.com/youtube/v3/docs).
internal sealed record ChannelListResponse(List<ChannelItem>? Items);
