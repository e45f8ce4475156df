namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// A second running product for the tests that stop, freeze or kill its parts, and the fallbacks behind YouTube: they
/// run beside the other end-to-end tests instead of after them, and their outages never reach those tests. One replica
/// of each service (none of these tests is about scale-out; two machines' worth of processes on two cores slows all).
/// </summary>
public sealed class FaultsAppHostFixture : AppHostFixture
{
    protected override string[] OwnSettings => ["AppHost:ApiReplicas=1", "AppHost:WorkerReplicas=1"];
}
