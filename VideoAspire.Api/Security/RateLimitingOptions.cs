using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api.Security;

/// <summary>Per-caller limits: the token's subject, else the client IP. The request limit is per Api instance; the cold-lookup limit is shared in Redis.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    public const string PolicyName = "per-caller";

    public const string WebSubPolicyName = "websub";

    /// <summary>Burst size: requests a caller may make at once.</summary>
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; } = 200;

    /// <summary>Tokens added each <see cref="ReplenishmentPeriod"/> (the sustained rate).</summary>
    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Channels we do not store that one caller may have us look up on YouTube per minute, across all replicas
    /// (each id counts; see <c>ColdLookupLimiter</c>). Past it the caller gets 429 for such ids; stored ones still answer.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ColdLookupsPerMinute { get; set; } = 60;

    /// <summary>Burst of WebSub callback requests one client address may make (the hub sends one per upload or change).</summary>
    [Range(1, 1_000_000)]
    public int WebSubTokenLimit { get; set; } = 100;

    /// <summary>WebSub callback requests per second one client address may sustain.</summary>
    [Range(1, 1_000_000)]
    public int WebSubTokensPerSecond { get; set; } = 20;
}
