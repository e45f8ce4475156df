using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

/// <summary>
/// The benchmark's OIDC issuer on loopback, as a Production deployment's identity provider would look to the Api: OpenID
/// discovery and a JWKS with one RS256 key. It writes RS256 access tokens for <c>--callers</c> distinct subjects (scope
/// <c>videos:read</c>, two hours) to <c>--tokens</c>, one per line, for the load generator to spread over the load.
/// </summary>
internal static class TokenIssuer
{
    public const string Audience = "videoaspire-api";

    public static void Map(WebApplication app, string issuer, string tokensFile, int callers)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "benchmark-" + Guid.NewGuid().ToString("N")[..8] };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(key);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, use = "sig", alg = SecurityAlgorithms.RsaSha256, kid = jwk.Kid, n = jwk.N, e = jwk.E } },
        });
        var discovery = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = $"{issuer}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
        });
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(discovery, "application/json"));
        app.MapGet("/jwks", () => Results.Text(jwks, "application/json"));

        var handler = new JsonWebTokenHandler();
        var now = DateTime.UtcNow;
        File.WriteAllLines(tokensFile, Enumerable.Range(1, callers).Select(caller => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", $"benchmark-caller-{caller}"), new Claim("scope", "videos:read")]),
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now.AddHours(2),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        })));
    }
}
