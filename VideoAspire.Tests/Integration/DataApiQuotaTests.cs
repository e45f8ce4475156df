using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VideoAspire.Domain.Ports;
using VideoAspire.Redis.Quota;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>How the day's Data API units are shared, against a real Redis: callers never take the refresh's reserved share,
/// one caller never takes more than its own units, and every refusal is counted by payer and limit.</summary>
[Collection(StoresCollection.Name)]
public sealed class DataApiQuotaTests(StoresFixture stores)
{
    [Fact]
    public async Task Callers_are_capped_each_and_together_and_the_reserved_share_stays_for_the_refresh()
    {
        // A day of its own (far in the future), so no other test's units count.
        var day = new FakeTimeProvider(new DateTimeOffset(2031, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(1, 3000)));
        var quota = new DataApiQuota(stores.Redis, day, NullLogger<DataApiQuota>.Instance);
        var limits = new DataApiLimits(DailyUnits: 10, ServiceReservedUnits: 4, CallerDailyUnits: 3);
        var (alice, bob, carol) = (QuotaPayer.Caller("sub:alice"), QuotaPayer.Caller("sub:bob"), QuotaPayer.Caller("sub:carol"));
        using var refusals = new RefusalRecorder();

        Assert.True(await quota.TryReserveAsync(2, alice, limits));
        Assert.True(await quota.TryReserveAsync(1, alice, limits));
        Assert.False(await quota.TryReserveAsync(1, alice, limits)); // her own 3 units are spent
        Assert.True(await quota.TryReserveAsync(3, bob, limits));
        Assert.False(await quota.TryReserveAsync(1, carol, limits)); // 6 of 10 spent: the other 4 are the refresh's
        Assert.True(await quota.TryReserveAsync(4, QuotaPayer.Service, limits));
        Assert.False(await quota.TryReserveAsync(1, QuotaPayer.Service, limits)); // the day is spent

        Assert.Equal(10, (long)await stores.Redis.GetDatabase().StringGetAsync(DataApiQuota.KeyFor(day.GetUtcNow())));
        Assert.Equal(3, (long)await stores.Redis.GetDatabase().StringGetAsync(DataApiQuota.CallerKeyFor(day.GetUtcNow(), "sub:alice")));
        Assert.Equal(["caller:caller", "caller:callers", "service:day"], refusals.Seen.Order());

        // Midnight Pacific: a new day, new counters.
        day.Advance(TimeSpan.FromDays(1));
        Assert.True(await quota.TryReserveAsync(3, alice, limits));
    }

    /// <summary>The refusals counted in this process, as "payer:limit".</summary>
    private sealed class RefusalRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<string> _seen = [];

        public RefusalRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "videoaspire.upstream.quota_refusals")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                var tagged = tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value as string);
                if (tagged["payer"] is { } payer && tagged["limit"] is { } limit)
                {
                    lock (_seen)
                    {
                        _seen.Add($"{payer}:{limit}");
                    }
                }
            });
            _listener.Start();
        }

        public string[] Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
