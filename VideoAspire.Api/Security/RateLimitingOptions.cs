using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api.Security;

/// <summary>Per-caller token bucket: the token's subject, else the client IP. Limits are per Api instance.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    public const string PolicyName = "per-caller";

    /// <summary>Burst size: requests a caller may make at once.</summary>
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; } = 200;

    /// <summary>Tokens added each <see cref="ReplenishmentPeriod"/> (the sustained rate).</summary>
    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
