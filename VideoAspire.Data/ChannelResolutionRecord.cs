namespace VideoAspire.Data;

/// <summary>
/// Which channel a handle, legacy username or custom URL named when YouTube was last asked (<c>channel_references</c>,
/// keyed by <see cref="ChannelReference.Key"/>): believed until <see cref="ExpiresAt"/>, since a handle can move to
/// another channel. No <see cref="ChannelId"/>: YouTube said no channel goes by that name.
/// </summary>
public sealed class ChannelResolutionRecord
{
    /// <summary>Longest key stored: an <c>@handle</c> is at most 31 characters, a legacy name URL at most 117.</summary>
    public const int MaxReferenceLength = 140;

    public required string Reference { get; set; }

    public string? ChannelId { get; set; }

    public string? Handle { get; set; }

    public string? Title { get; set; }

    public DateTimeOffset ResolvedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
