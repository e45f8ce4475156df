using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api;

public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>How often batched last_accessed_at marks are written to PostgreSQL.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AccessFlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
