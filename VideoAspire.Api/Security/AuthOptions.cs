using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Api.Security;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Reads without a token. True in Development (so the README's curl works); false by default, so a production
    /// deployment that forgets to decide is closed, not open.
    /// </summary>
    public bool AllowAnonymousReads { get; set; }

    /// <summary>
    /// The only token signature algorithms accepted (RFC 7518 names); <see cref="DefaultAlgorithms"/> when none is
    /// configured (appsettings.Development.json adds HS256 for <c>dotnet user-jwts</c>).
    /// </summary>
    /// <remarks>Empty here, the default applied after binding: configuration binds an array by appending to the
    /// property's initial value, so <c>Auth__ValidAlgorithms__0=ES256</c> would otherwise accept RS256 too.</remarks>
    public string[] ValidAlgorithms { get; set; } = [];

    /// <summary>
    /// Longest a validated token is remembered (<see cref="ValidatedTokenCache"/>; never past its <c>exp</c>). Zero turns the
    /// cache off. A token is not checked again within this time: a key withdrawn from the issuer's JWKS empties the
    /// cache when the Api next reads the JWKS, and JWTs cannot be revoked one by one anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TokenCacheLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Memory the validated-token cache may use (about 5 KB per typical token: some 200 callers a megabyte).</summary>
    [Range(1, 1024)]
    public int TokenCacheMegabytes { get; set; } = 16;

    /// <summary>Asymmetric only: a leaked verification key cannot mint tokens.</summary>
    public static readonly string[] DefaultAlgorithms = ["RS256", "ES256"];
}
