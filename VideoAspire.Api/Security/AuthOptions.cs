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

    /// <summary>Asymmetric only: a leaked verification key cannot mint tokens.</summary>
    public static readonly string[] DefaultAlgorithms = ["RS256", "ES256"];
}
