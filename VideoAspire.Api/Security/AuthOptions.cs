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
    /// The only token signature algorithms accepted (RFC 7518 names). Production default: asymmetric only; Development
    /// adds HS256 for <c>dotnet user-jwts</c>.
    /// </summary>
    public string[] ValidAlgorithms { get; set; } = ["RS256", "ES256"];
}
