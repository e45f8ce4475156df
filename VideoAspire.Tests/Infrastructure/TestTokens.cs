using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>Mints JWTs the way an OAuth 2.0 provider would, with the signing key the Api is configured to trust.</summary>
public static class TestTokens
{
    public const string Issuer = "videoaspire-tests";
    public const string Audience = "videoaspire-api";

    /// <summary>A fresh random key each run; handed to the Api through the AppHost's configuration.</summary>
    public static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// A second trusted issuer and key (one key per issuer is how the framework binds them), long enough for HS512:
    /// a token signed with it is refused for its algorithm alone.
    /// </summary>
    public const string LongKeyIssuer = "videoaspire-tests-long-key";

    public static readonly byte[] LongSigningKey = RandomNumberGenerator.GetBytes(64);

    public static string[] ApiSettings =>
    [
        $"Authentication:Schemes:Bearer:ValidIssuer={Issuer}",
        $"Authentication:Schemes:Bearer:ValidAudiences:0={Audience}",
        $"Authentication:Schemes:Bearer:SigningKeys:0:Issuer={Issuer}",
        $"Authentication:Schemes:Bearer:SigningKeys:0:Value={Convert.ToBase64String(SigningKey)}",
        $"Authentication:Schemes:Bearer:ValidIssuers:0={LongKeyIssuer}",
        $"Authentication:Schemes:Bearer:SigningKeys:1:Issuer={LongKeyIssuer}",
        $"Authentication:Schemes:Bearer:SigningKeys:1:Value={Convert.ToBase64String(LongSigningKey)}",
    ];

    public static string Create(
        string scopes,
        string subject = "test-user",
        DateTime? expires = null,
        string audience = Audience,
        byte[]? key = null,
        string algorithm = SecurityAlgorithms.HmacSha256,
        string issuer = Issuer)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scopes)]),
            NotBefore = (expires ?? now.AddHours(1)) < now ? now.AddHours(-2) : now.AddMinutes(-1),
            IssuedAt = (expires ?? now.AddHours(1)) < now ? now.AddHours(-2) : now.AddMinutes(-1),
            Expires = expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), algorithm),
        });
    }

    /// <summary>An unsigned token ("alg": "none") claiming every scope: must be refused.</summary>
    public static string Unsigned(string scopes)
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(json);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}." +
               $"{Encode($"{{\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"mallory\",\"scope\":\"{scopes}\",\"exp\":{exp}}}")}.";
    }
}
