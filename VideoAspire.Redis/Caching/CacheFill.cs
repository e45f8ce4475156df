namespace VideoAspire.Redis.Caching;

/// <summary>Where the answer a fill stores came from: it decides which rule keeps a stale fill out.</summary>
public enum CacheFill
{
    /// <summary>Read from the primary database: kept out only of a deleted channel.</summary>
    Primary,

    /// <summary>Read from a read replica: kept out also of a channel written within the read-your-writes window.</summary>
    Replica,

    /// <summary>Fetched from YouTube for a channel not stored (or not of this kind): kept out of a deleted channel.</summary>
    Fetch,
}
