using Microsoft.IdentityModel.Tokens;

namespace VideoAspire.Api.Security;

/// <summary>The JWT bearer handler's token handler, answered from <see cref="ValidatedTokenCache"/> when it can be.</summary>
internal sealed class CachingTokenHandler(TokenHandler inner, ValidatedTokenCache cache) : TokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (!cache.Enabled || token.Length > ValidatedTokenCache.MaxTokenLength)
        {
            return await inner.ValidateTokenAsync(token, validationParameters);
        }

        await cache.ForgetIfKeysChangedAsync(validationParameters);
        var key = ValidatedTokenCache.KeyOf(token);
        if (cache.TryGet(key) is { } cached)
        {
            return cached;
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            cache.Add(key, token, result);
        }

        return result;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        inner.ValidateTokenAsync(token, validationParameters);

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public override int MaximumTokenSizeInBytes
    {
        get => inner.MaximumTokenSizeInBytes;
        set => inner.MaximumTokenSizeInBytes = value;
    }
}
