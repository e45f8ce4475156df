namespace VideoAspire.Api.Security;

/// <summary>
/// The scope an operation documents, where its authorization policy does not say it: reads are anonymous in
/// Development, and the document describes the production contract whatever the environment that serves it.
/// </summary>
internal sealed record DocumentScope(string Scope);
