namespace VideoAspire.Domain;

/// <summary>Which of the forms a person names a channel by a <see cref="ChannelReference"/> is.</summary>
public enum ChannelReferenceKind
{
    /// <summary>A <c>UC…</c> id: nothing to resolve.</summary>
    Id,

    /// <summary>An <c>@handle</c>: the Data API's <c>forHandle</c>, else the channel page.</summary>
    Handle,

    /// <summary>A legacy <c>/user/NAME</c>: the Data API's <c>forUsername</c>, else the channel page.</summary>
    Username,

    /// <summary>A legacy <c>/c/NAME</c> custom URL: only the channel page knows it.</summary>
    CustomUrl,
}
