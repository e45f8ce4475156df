using System.Net;

namespace VideoAspire.Api.Security;

/// <summary>
/// Whom the per-caller limits count (the request rate limit and the cold-lookup allowance): the token's subject, else
/// the client address. A value with equality, so it serves directly as a rate-limit partition key; the string form is
/// built only where one is needed (a lookup of a channel we do not store).
/// </summary>
public readonly record struct Caller(string? Subject, IPAddress? Address)
{
    public static Caller Of(HttpContext context) =>
        context.User.FindFirst("sub")?.Value is { } subject ? new(subject, null) : new(null, context.Connection.RemoteIpAddress);

    public string Key => Subject is not null ? "sub:" + Subject : "ip:" + Address;
}
