using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Catalog.Caching;

public sealed class CacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>How long a channel's latest five live in Redis (and in the output cache).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);
}
