using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace VideoAspire.Api.Security;

/// <summary>
/// Each caller's request budget (a token bucket per <see cref="Caller"/>, per Api instance). A request costs one permit;
/// a batch read costs one per distinct channel id, since each may miss every cache and read the database.
/// </summary>
public sealed class CallerBudget : IDisposable
{
    private readonly PartitionedRateLimiter<Caller> _buckets;

    public CallerBudget(IOptions<RateLimitingOptions> options)
    {
        var limits = options.Value;
        _buckets = PartitionedRateLimiter.Create<Caller, Caller>(caller => RateLimitPartition.GetTokenBucketLimiter(caller, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.TokenLimit,
                TokensPerPeriod = limits.TokensPerPeriod,
                ReplenishmentPeriod = limits.ReplenishmentPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>What one request of <paramref name="context"/> costs: its distinct <c>channel_id</c>s on a read, else one.</summary>
    public static int CostOf(HttpContext context) =>
        context.Request.Query.TryGetValue("channel_id", out var ids) && ids.Count > 1
            ? Math.Max(1, ids.Distinct(StringComparer.Ordinal).Count())
            : 1;

    /// <summary>The rate limiter's view of one caller at one cost (what the middleware asks a permit of).</summary>
    public RateLimiter For(Caller caller, int cost) => new CostedLimiter(_buckets, caller, cost);

    public void Dispose() => _buckets.Dispose();

    /// <summary>Forwards to the caller's shared bucket, <c>cost</c> permits per permit asked.</summary>
    private sealed class CostedLimiter(PartitionedRateLimiter<Caller> buckets, Caller caller, int cost) : RateLimiter
    {
        // Holds nothing of its own (the bucket is shared and cleaned up by its own limiter), so the middleware may drop
        // it at its next sweep: never reporting idle would keep one per caller ever seen.
        public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

        public override RateLimiterStatistics? GetStatistics() => buckets.GetStatistics(caller);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => buckets.AttemptAcquire(caller, permitCount * cost);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            buckets.AcquireAsync(caller, permitCount * cost, cancellationToken);
    }
}
