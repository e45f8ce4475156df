using System.ComponentModel.DataAnnotations;
using System.Text;

namespace VideoAspire.YouTube.WebSub;

/// <summary>
/// Push notifications of new uploads through YouTube's WebSub (PubSubHubbub 0.4) hub. Off unless
/// <see cref="CallbackBaseUrl"/> is set: then the Worker subscribes the channels people read, the Api's
/// <c>/websub/youtube</c> receives what the hub pushes, and subscribed channels are polled far less.
/// </summary>
public sealed class WebSubOptions : IValidatableObject
{
    public const string SectionName = "YouTube:WebSub";

    public const string CallbackPath = "/websub/youtube";

    /// <summary>The public base URL the hub reaches the Api at (an ingress or reverse proxy, HTTPS in production).</summary>
    [Url]
    public string? CallbackBaseUrl { get; set; }

    /// <summary>HMAC key the hub signs notifications with (<c>hub.secret</c>, at most 200 bytes). Required when enabled.</summary>
    public string? Secret { get; set; }

    [Required, Url]
    public string HubUrl { get; set; } = "https://pubsubhubbub.appspot.com/subscribe";

    /// <summary>Channels read within this window are subscribed; channels nobody read for longer are unsubscribed.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan SubscribeWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The lease asked for; hubs grant what they like (YouTube's: about five days).</summary>
    [Range(3600, 864_000)]
    public int LeaseSeconds { get; set; } = 432_000;

    /// <summary>A lease is renewed once it has less than this left.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "5.00:00:00")]
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A request the hub has not verified within this long is sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Channels with a live subscription are still re-fetched this often, in case a notification was lost.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SafetyPollInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the Worker subscribes, renews and unsubscribes (once per cluster).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SubscriptionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Hub requests per run at most: a burst of new channels is spread over several runs.</summary>
    [Range(1, 10_000)]
    public int RequestsPerRun { get; set; } = 200;

    /// <summary>Largest notification body accepted (YouTube's carry one entry: a few kilobytes).</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxNotificationBytes { get; set; } = 256 * 1024;

    public bool Enabled => !string.IsNullOrWhiteSpace(CallbackBaseUrl);

    public string CallbackUrl => (CallbackBaseUrl ?? "").TrimEnd('/') + CallbackPath;

    /// <summary>Set at start from the environment (not configuration): https is required outside Development.</summary>
    internal bool RequireHttps { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrEmpty(Secret) || Encoding.UTF8.GetByteCount(Secret) is < 16 or > 200)
        {
            yield return new ValidationResult(
                "YouTube:WebSub:Secret must be set (16 to 200 bytes) when YouTube:WebSub:CallbackBaseUrl is: unsigned notifications are ignored.",
                [nameof(Secret)]);
        }

        // Outside Development the callback and the hub are reached over TLS only: the callback URL carries the token,
        // and the hub request the HMAC secret.
        if (RequireHttps && !IsHttps(CallbackBaseUrl))
        {
            yield return new ValidationResult("YouTube:WebSub:CallbackBaseUrl must be an https URL outside Development.", [nameof(CallbackBaseUrl)]);
        }

        if (RequireHttps && !IsHttps(HubUrl))
        {
            yield return new ValidationResult("YouTube:WebSub:HubUrl must be an https URL outside Development.", [nameof(HubUrl)]);
        }

        if (RenewBefore * 2 > TimeSpan.FromSeconds(LeaseSeconds))
        {
            yield return new ValidationResult("YouTube:WebSub:RenewBefore must be at most half the lease asked for.", [nameof(RenewBefore)]);
        }
    }

    private static bool IsHttps(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
