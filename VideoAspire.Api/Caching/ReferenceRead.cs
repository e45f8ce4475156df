namespace VideoAspire.Api.Caching;

/// <summary>
/// A request feature set by <see cref="ChannelOutputCachePolicy"/>: this request reads one channel by handle or URL. Its
/// answer is cached in memory only, like an id's (<see cref="LocalOutputCacheStore"/>), keyed by the reference's
/// normalised form and tagged with the channel it resolved to.
/// </summary>
/// <param name="RememberedChannelId">The channel this instance already knew it to name, if any (for the access mark of an
/// answer served from the cache).</param>
public sealed record ReferenceRead(ChannelReference Reference, string? RememberedChannelId);
