namespace VideoAspire.Api.Channels;

/// <summary>One channel a read asks for: the key its answer goes under (the reference's normalised form) and what names it.</summary>
public sealed record RequestedChannel(ChannelReference Reference)
{
    public string Key => Reference.Key;

    /// <summary>A <c>UC…</c> id: nothing to resolve.</summary>
    public bool IsId => Reference.Kind == ChannelReferenceKind.Id;
}
