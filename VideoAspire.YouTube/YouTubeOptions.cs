using System.ComponentModel.DataAnnotations;
using VideoAspire.Domain.Ports;

namespace VideoAspire.YouTube;

public sealed class YouTubeOptions
{
    public const string SectionName = "YouTube";

    /// <summary>Data API v3 host; requests go to <c>/youtube/v3/...</c> under it.</summary>
    [Required, Url]
    public string ApiBaseUrl { get; set; } = "https://www.googleapis.com";

    /// <summary>Host of the keyless channel Atom feed (<c>/feeds/videos.xml</c>).</summary>
    [Required, Url]
    public string FeedBaseUrl { get; set; } = "https://www.youtube.com";

    /// <summary>Data API key. Without one, only the Atom feed is used.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Longest a single upstream attempt may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest one source may take including retries; a caller waits at most about twice this (API, then feed).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:02:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How long a read waits for a cold fetch before answering 202 Accepted and letting it finish in the background
    /// (callers opt out per request with <c>?wait=true</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan RequestBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long "this channel does not exist" is remembered, so bogus ids cannot burn quota.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a handle's, username's or custom URL's channel is believed: a handle can be released and taken by another
    /// channel, so a resolution is asked again after this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan HandleTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most of a channel page read to find its canonical link (pages are 0.5–1 MB; the link is in the head).</summary>
    [Range(16 * 1024, 8 * 1024 * 1024)]
    public int ChannelPageMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Data API units all replicas may spend per day (YouTube's default allocation is 10,000, reset at midnight
    /// Pacific); past it only the keyless feed is used.
    /// </summary>
    [Range(0, 100_000_000)]
    public int DailyQuotaUnits { get; set; } = 10_000;

    /// <summary>
    /// Of the day's units, what callers' cold lookups may never take: kept for the scheduled refresh (which may spend
    /// any of the day's units). Without it, one busy hour of lookups could leave the refresh on the feed until midnight.
    /// </summary>
    [Range(0, 100_000_000)]
    public int ServiceReservedUnits { get; set; } = 3_000;

    /// <summary>What one caller's cold lookups may spend per day (a lookup costs 2 units, 3 with a kind); past it that
    /// caller's lookups use the keyless feed.</summary>
    [Range(0, 100_000_000)]
    public int CallerDailyUnits { get; set; } = 500;

    /// <summary>The three settings above, as the quota counter takes them.</summary>
    public DataApiLimits QuotaLimits => new(DailyQuotaUnits, ServiceReservedUnits, CallerDailyUnits);

    /// <summary>Playlist items requested per fetch (1 quota unit whatever the number, 50 at most).</summary>
    [Range(5, 50)]
    public int PageSize { get; set; } = 50;

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>
    /// The longest one fetch of a channel can take: every upstream call (headers and body) is bounded by
    /// <see cref="TotalTimeout"/>, and a fetch makes at most three (channels.list, playlistItems.list, the feed).
    /// </summary>
    public TimeSpan MaxFetchDuration => TotalTimeout * (HasApiKey ? 3 : 1);
}
