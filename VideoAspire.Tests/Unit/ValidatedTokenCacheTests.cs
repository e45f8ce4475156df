using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VideoAspire.Api.Security;

namespace VideoAspire.Tests.Unit;

/// <summary>The validated-token cache around the framework's real JWT handler, with RS256 keys as an OIDC issuer has them.</summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "https://issuer.example";
    private const string Audience = "videoaspire-api";
    private static readonly RsaSecurityKey KeyA = NewKey("key-a");
    private static readonly RsaSecurityKey KeyB = NewKey("key-b");

    private readonly CountingHandler _inner = new();
    private ValidatedTokenCache _cache = New(megabytes: 16);

    [Fact]
    public async Task A_valid_token_is_checked_once_then_answered_from_the_cache_with_a_principal_of_its_own()
    {
        var handler = _cache.Wrap(_inner);
        var token = Create(KeyA, "alice");

        var first = await handler.ValidateTokenAsync(token, Parameters(KeyA));
        var second = await handler.ValidateTokenAsync(token, Parameters(KeyA));

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, _inner.Calls);
        Assert.Equal("alice", second.ClaimsIdentity.FindFirst("sub")?.Value);
        second.ClaimsIdentity.AddClaim(new Claim("added-by-a-request", "x"));
        Assert.Null((await handler.ValidateTokenAsync(token, Parameters(KeyA))).ClaimsIdentity.FindFirst("added-by-a-request"));
    }

    [Fact]
    public async Task An_expired_token_is_never_accepted_from_the_cache()
    {
        var handler = _cache.Wrap(_inner);
        var token = Create(KeyA, "bob", lifetime: TimeSpan.FromSeconds(2));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(KeyA))).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.False((await handler.ValidateTokenAsync(token, Parameters(KeyA))).IsValid);
        Assert.Equal(2, _inner.Calls); // the cache answered nothing: the handler refused it
    }

    [Fact]
    public async Task A_token_altered_by_one_byte_is_a_miss_and_is_refused()
    {
        var handler = _cache.Wrap(_inner);
        var token = Create(KeyA, "carol");
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(KeyA))).IsValid);

        foreach (var position in new[] { token.IndexOf('.') - 3, token.LastIndexOf('.') + 5, token.Length - 2 })
        {
            var altered = token[..position] + (token[position] == 'A' ? 'B' : 'A') + token[(position + 1)..];
            Assert.False((await handler.ValidateTokenAsync(altered, Parameters(KeyA))).IsValid);
        }

        Assert.Equal(4, _inner.Calls);
    }

    [Fact]
    public async Task A_flood_of_distinct_valid_tokens_stays_within_the_memory_bound()
    {
        _cache.Dispose();
        _cache = New(megabytes: 1);
        var handler = _cache.Wrap(_inner);

        for (var i = 0; i < 2_000; i++)
        {
            Assert.True((await handler.ValidateTokenAsync(Create(KeyA, $"caller-{i}"), Parameters(KeyA))).IsValid);
        }

        await Task.Delay(200); // the compaction a full cache starts runs in the background
        Assert.InRange(_cache.EstimatedBytes, 1, 1024 * 1024);
        Assert.InRange(_cache.Count, 1, 1_000);
    }

    [Fact]
    public async Task A_key_rotation_empties_the_cache()
    {
        var handler = _cache.Wrap(_inner);
        var token = Create(KeyA, "dave");
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(KeyA))).IsValid);
        Assert.Equal(1, _cache.Count);

        // The issuer withdrew key A and signs with B now: a token signed with A must be checked again, and fail.
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(KeyB))).IsValid);
        Assert.Equal(0, _cache.Count);
        Assert.True((await handler.ValidateTokenAsync(Create(KeyB, "dave"), Parameters(KeyB))).IsValid);
    }

    [Fact]
    public async Task A_cached_token_is_answered_before_the_bearer_handler_runs_and_nothing_else_is()
    {
        var token = Create(KeyA, "erin");
        Assert.True((await _cache.Wrap(_inner).ValidateTokenAsync(token, Parameters(KeyA))).IsValid);

        var cached = await MessageReceivedAsync($"Bearer {token}", KeyA);
        Assert.True(cached.Result?.Succeeded);
        Assert.Equal("erin", cached.Principal?.FindFirst("sub")?.Value);

        // Not cached, altered, another scheme, or signed with a key the issuer no longer has: left to the handler.
        Assert.Null((await MessageReceivedAsync($"Bearer {Create(KeyA, "frank")}", KeyA)).Result);
        Assert.Null((await MessageReceivedAsync($"Bearer {token[..^2]}xx", KeyA)).Result);
        Assert.Null((await MessageReceivedAsync($"Basic {token}", KeyA)).Result);
        Assert.Null((await MessageReceivedAsync($"Bearer {token}", KeyB)).Result);
        Assert.Equal(0, _cache.Count);
    }

    private async Task<MessageReceivedContext> MessageReceivedAsync(string authorization, SecurityKey issuerKey)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = authorization;
        var context = new MessageReceivedContext(http, new AuthenticationScheme("Bearer", null, typeof(JwtBearerHandler)),
            new JwtBearerOptions { TokenValidationParameters = Parameters(issuerKey) });
        await _cache.AuthenticateFromCacheAsync(context);
        return context;
    }

    public void Dispose() => _cache.Dispose();

    private static ValidatedTokenCache New(int megabytes) =>
        new(Options.Create(new AuthOptions { TokenCacheMegabytes = megabytes }), TimeProvider.System);

    private static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    /// <summary>A new list each time, as the bearer handler builds from the issuer's current keys.</summary>
    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = [key],
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = TimeSpan.Zero,
    };

    private static string Create(SecurityKey key, string subject, TimeSpan? lifetime = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", "videos:read")]),
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The framework's own handler, counting the validations it is asked for.</summary>
    private sealed class CountingHandler : JsonWebTokenHandler
    {
        private int _calls;

        public int Calls => _calls;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _calls);
            return base.ValidateTokenAsync(token, validationParameters);
        }
    }
}
