namespace VideoAspire.Data;

/// <summary>Who is writing: decides whether a deleted channel may come back.</summary>
public enum WriteOrigin
{
    /// <summary>What YouTube said at some moment (a hand-off, the in-process fallback, a scheduled refresh). Never
    /// revives a deleted channel: it may have been fetched before the delete.</summary>
    YouTube,

    /// <summary>An explicit write through the Api (<c>PUT /channels/{id}</c>, <c>PUT /channels/{id}/videos</c>).</summary>
    Api,
}
