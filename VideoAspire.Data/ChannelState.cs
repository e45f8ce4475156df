namespace VideoAspire.Data;

public enum ChannelState
{
    /// <summary>Not in the database: YouTube decides.</summary>
    Unknown,
    Stored,
    /// <summary>Deleted through the Api: not found, and not fetched again.</summary>
    Deleted,
}
