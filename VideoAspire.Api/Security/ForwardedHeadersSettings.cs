using System.ComponentModel.DataAnnotations;
using System.Net;

namespace VideoAspire.Api.Security;

/// <summary>
/// The proxies (an ingress controller, a load balancer) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
/// believed: the client address behind them is what the per-caller limits count. A header from anyone else is ignored,
/// so a caller cannot pick its own rate-limit bucket. Nothing configured: only loopback (a sidecar) is believed.
/// </summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.244.0.0/16</c> (the ingress controller's pod network).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in front of the Api add an entry (the ingress alone: 1).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"'{network}' is not a network in CIDR notation.", [nameof(KnownNetworks)]);
        }
    }
}
