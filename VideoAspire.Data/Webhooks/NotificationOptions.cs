using System.ComponentModel.DataAnnotations;

namespace VideoAspire.Data.Webhooks;

/// <summary>Webhook subscriptions and their delivery (<c>Notifications:*</c>), read by the Api and the Worker.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string SectionName = "Notifications";

    [Range(1, 10_000)]
    public int MaxSubscriptionsPerCaller { get; set; } = 25;

    [Range(1, 10_000)]
    public int MaxChannelsPerSubscription { get; set; } = 100;

    /// <summary>Event deliveries a caller is sent per day (UTC); past it, the day's further events are dropped.</summary>
    [Range(1, 100_000_000)]
    public int DeliveriesPerCallerPerDay { get; set; } = 50_000;

    /// <summary>How long the secret before a rotation still signs (both signatures are sent meanwhile).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan SecretRotationGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The wait before each retry of a failed attempt (the first attempt is immediate), each plus up to 20 % jitter;
    /// after the last, the message is failed. Unset: <see cref="DefaultRetrySchedule"/>.
    /// </summary>
    /// <remarks>No default in the property: configuration binding appends to an array it finds filled.</remarks>
    public TimeSpan[]? RetrySchedule { get; set; }

    /// <summary>8 attempts over about 28 hours (the schedule Svix publishes for Standard Webhooks).</summary>
    public static readonly TimeSpan[] DefaultRetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public TimeSpan[] Schedule => RetrySchedule is { Length: > 0 } configured ? configured : DefaultRetrySchedule;

    /// <summary>An endpoint whose every attempt failed for longer than this is disabled (the subscription says why).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>One attempt, connection included; a slower endpoint's attempt fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Of an endpoint's answer, at most this much is read (a verification's challenge is in it).</summary>
    [Range(64, 1_048_576)]
    public int MaxResponseBytes { get; set; } = 16_384;

    /// <summary>Attempts at one endpoint (URL) under way at once, per Worker replica: a slow one holds only its own.</summary>
    [Range(1, 256)]
    public int ConcurrencyPerEndpoint { get; set; } = 8;

    /// <summary>Messages a Worker replica holds at once (sending, or waiting for their endpoint's turn).</summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 1_024;

    /// <summary>How often the Worker looks for new outbox events and due messages when idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Networks webhook URLs may reach although not public (CIDR): tests, private deployments. Empty: public only.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>Plain http endpoints accepted (Development accepts them anyway); otherwise https only.</summary>
    public bool AllowHttp { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Schedule.Length > 20 || Schedule.Any(wait => wait <= TimeSpan.Zero || wait > TimeSpan.FromDays(2)))
        {
            yield return new ValidationResult("Notifications:RetrySchedule must hold at most 20 waits, each above zero and at most 2 days.",
                [nameof(RetrySchedule)]);
        }

        foreach (var network in AllowedNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"Notifications:AllowedNetworks: '{network}' is not a network in CIDR form (10.1.0.0/16).",
                [nameof(AllowedNetworks)]);
        }
    }

    /// <summary>The allow-list as (network, prefix) pairs.</summary>
    public IReadOnlyList<(System.Net.IPAddress Network, int Prefix)> ParsedAllowedNetworks() =>
        [.. AllowedNetworks.Select(System.Net.IPNetwork.Parse).Select(n => (n.BaseAddress, n.PrefixLength))];

    /// <summary>The wait before the retry that follows attempt number <paramref name="attempts"/> (1-based), jittered; null when
    /// the schedule is spent.</summary>
    public TimeSpan? RetryAfter(int attempts, double jitter) =>
        attempts >= 1 && attempts <= Schedule.Length ? Schedule[attempts - 1] * (1 + 0.2 * jitter) : null;

    /// <summary>How long a message is held by a replica at most: queued behind its endpoint, then its attempt.</summary>
    public TimeSpan Lease => RequestTimeout * (EndpointQueueLimit / ConcurrencyPerEndpoint + 2) + TimeSpan.FromSeconds(30);

    /// <summary>Messages of one endpoint a replica holds (sending or waiting); more are handed back for later.</summary>
    public int EndpointQueueLimit => ConcurrencyPerEndpoint * 4;
}
