namespace VideoAspire.Domain;

/// <summary>The one definition of how long a stored title (a channel's or a video's) may be.</summary>
public static class StoredTitle
{
    public const int MaxLength = 200;

    /// <summary>At most <see cref="MaxLength"/> UTF-16 units, never half of a surrogate pair (PostgreSQL would refuse it).</summary>
    public static string Truncate(string value) =>
        value.Length <= MaxLength ? value
        : char.IsHighSurrogate(value[MaxLength - 1]) ? value[..(MaxLength - 1)]
        : value[..MaxLength];
}
