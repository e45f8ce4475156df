using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api;

public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>
    /// How often batched last_accessed_at marks are written to PostgreSQL. Often and small beats rare and large: a
    /// large batch is one long UPDATE that holds a core while reads wait behind it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AccessFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest a read waits for PostgreSQL (connection and query) before failing over, as if it were down: a frozen or
    /// overloaded database must cost a request this much, not the driver's 30 s command timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    public TimeSpan DatabaseBudget { get; set; } = TimeSpan.FromSeconds(1);
}
