using System.Security.Cryptography;

namespace VideoAspire.Data.Webhooks;

/// <summary>Standard Webhooks signing secrets: <c>whsec_</c> and 32 random bytes in base64.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    public static string Create() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
