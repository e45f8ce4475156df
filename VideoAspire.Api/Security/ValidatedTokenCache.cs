using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using VideoAspire.Telemetry;

namespace VideoAspire.Api.Security;

/// <summary>
/// Tokens already validated, so that a caller's next request with the same token skips the signature check (an RSA
/// verification, claims and lifetime checks: the largest cost of a cached read), in the manner of Envoy's
/// <c>jwt_authn</c> <c>jwt_cache_config</c>. Keyed by the SHA-256 of the exact token: any other byte is another key, a
/// miss, and a full validation. An entry lives until the token's <c>exp</c> (never past it: stricter than the
/// validation's clock skew) and at most <see cref="AuthOptions.TokenCacheLifetime"/>; the cache is bounded by
/// <see cref="AuthOptions.TokenCacheMegabytes"/> and emptied when the set of signing keys changes (a rotation, or a key
/// withdrawn from the issuer's JWKS).
/// </summary>
/// <remarks>Hand-written around <see cref="MemoryCache"/>: the framework has no validated-token cache.</remarks>
public sealed class ValidatedTokenCache : IDisposable
{
    /// <summary>Longer tokens are validated every time: a few of them would fill the cache.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private readonly MemoryCache _entries;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly Lock _keysLock = new();
    private object? _keysSeen;
    private object? _configurationSeen;
    private HashSet<string>? _keyIds;

    public ValidatedTokenCache(IOptions<AuthOptions> options, TimeProvider time)
    {
        _time = time;
        _lifetime = options.Value.TokenCacheLifetime;
        _entries = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = Math.Max(1, options.Value.TokenCacheMegabytes) * 1024L * 1024L,
            ExpirationScanFrequency = TimeSpan.FromSeconds(30),
            TrackStatistics = true,
        });
    }

    /// <summary>Off when <see cref="AuthOptions.TokenCacheLifetime"/> is zero or no memory is given to it.</summary>
    public bool Enabled => _lifetime > TimeSpan.Zero;

    /// <summary>Entries held now.</summary>
    public long Count => _entries.GetCurrentStatistics()?.CurrentEntryCount ?? 0;

    /// <summary>The entries' estimated bytes, bounded by <see cref="AuthOptions.TokenCacheMegabytes"/>.</summary>
    public long EstimatedBytes => _entries.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <summary>Wraps the framework's token handler: what it validates is remembered, what it refuses is not.</summary>
    public TokenHandler Wrap(TokenHandler inner) => new CachingTokenHandler(inner, this);

    /// <summary>The SHA-256 of the token's exact UTF-8 bytes (no lossy encoding: two tokens never share a key).</summary>
    internal static string KeyOf(ReadOnlySpan<char> token)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(token.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(token, rented);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, length), hash);
            return Convert.ToBase64String(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Answers a request whose bearer token is cached before the framework's handler does any work (it would copy its
    /// validation parameters for every request first): the request is authenticated as that token's principal.
    /// Anything else (no token, a miss) is left to the handler.
    /// </summary>
    public async Task AuthenticateFromCacheAsync(MessageReceivedContext context)
    {
        const string Scheme = "Bearer ";
        var header = context.Request.Headers.Authorization.ToString();
        if (!Enabled || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // Hashed from the header itself: no copy of the token per request.
        var token = header.AsSpan(Scheme.Length).Trim();
        if (token.Length == 0 || token.Length > MaxTokenLength)
        {
            return;
        }

        var key = KeyOf(token);
        await ForgetIfKeysChangedAsync(context.Options.TokenValidationParameters, context.Options.ConfigurationManager as BaseConfigurationManager);
        if (TryGet(key, countMiss: false) is { } cached)
        {
            context.Principal = new ClaimsPrincipal(cached.ClaimsIdentity);
            context.Success();
        }
    }

    internal TokenValidationResult? TryGet(string key, bool countMiss = true)
    {
        if (_entries.TryGetValue(key, out CachedToken? cached) && cached!.Expires > _time.GetUtcNow())
        {
            VideoAspireTelemetry.TokenCacheLookups.Add(1, new KeyValuePair<string, object?>("outcome", "hit"));
            // A principal of its own per request: what later middleware adds to it must not leak into the next one.
            return new TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = cached.Identity.Clone(),
                SecurityToken = cached.Token,
                Issuer = cached.Issuer,
                TokenType = cached.TokenType,
            };
        }

        if (countMiss)
        {
            VideoAspireTelemetry.TokenCacheLookups.Add(1, new KeyValuePair<string, object?>("outcome", "miss"));
        }

        return null;
    }

    internal void Add(string key, string token, TokenValidationResult result)
    {
        if (result.SecurityToken is not { ValidTo: var validTo } || validTo == DateTime.MinValue || result.ClaimsIdentity is null)
        {
            return; // no expiry to bound the entry by
        }

        var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        var now = _time.GetUtcNow();
        if (expires <= now)
        {
            return;
        }

        _entries.Set(key, new CachedToken(result.ClaimsIdentity.Clone(), result.SecurityToken, result.Issuer, result.TokenType, expires),
            new MemoryCacheEntryOptions
            {
                AbsoluteExpiration = expires < now + _lifetime ? expires : now + _lifetime,
                // The token's characters (UTF-16), its parsed form and its claims as strings: about three times the token.
                Size = 6L * token.Length + 512,
            });
    }

    /// <summary>
    /// Empties the cache when the signing keys differ from the last ones seen: a token validated with a key the issuer
    /// has since withdrawn must be checked again. Cheap when nothing changed (the same objects as before).
    /// </summary>
    /// <param name="manager">Where the issuer's keys come from, when not in <paramref name="parameters"/> (the options' own
    /// parameters have none; the handler's per-request copy has).</param>
    internal async Task ForgetIfKeysChangedAsync(TokenValidationParameters parameters, BaseConfigurationManager? manager = null)
    {
        var configuration = (manager ?? parameters.ConfigurationManager) is { } source
            ? await source.GetBaseConfigurationAsync(CancellationToken.None)
            : null;
        var staticKeys = (object?)parameters.IssuerSigningKeys ?? parameters.IssuerSigningKey;
        if (ReferenceEquals(configuration, Volatile.Read(ref _configurationSeen)) && ReferenceEquals(staticKeys, Volatile.Read(ref _keysSeen)))
        {
            return;
        }

        var keyIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in (parameters.IssuerSigningKeys ?? []).Append(parameters.IssuerSigningKey).Concat(configuration?.SigningKeys ?? []))
        {
            if (key is not null)
            {
                keyIds.Add(Fingerprint(key));
            }
        }

        lock (_keysLock)
        {
            if (_keyIds is not null && !_keyIds.SetEquals(keyIds))
            {
                _entries.Clear();
            }

            _keyIds = keyIds;
            _configurationSeen = configuration;
            _keysSeen = staticKeys;
        }
    }

    /// <summary>A key's identity: its <c>kid</c>, else its JWK thumbprint (a symmetric key has no <c>kid</c> of its own).</summary>
    private static string Fingerprint(SecurityKey key) =>
        !string.IsNullOrEmpty(key.KeyId) ? "kid:" + key.KeyId
        : key.CanComputeJwkThumbprint() ? "jwk:" + Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())
        : "ref:" + System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key);

    public void Dispose() => _entries.Dispose();

    private sealed record CachedToken(ClaimsIdentity Identity, SecurityToken Token, string? Issuer, string? TokenType, DateTimeOffset Expires);
}
