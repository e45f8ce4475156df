using System.Security.Cryptography;

namespace VideoAspire.YouTube.WebSub;

/// <summary>The secret last segment of a subscription's callback URL: 256 random bits, URL-safe.</summary>
public static class WebSubCallbackToken
{
    public const int Length = 43;

    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Shaped like one (a cheap refusal before any lookup).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
