namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// The test tiers, as xunit traits: <c>make test-fast</c> runs everything that is neither (in well under a minute),
/// <c>make test</c> runs all.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Starts the whole AppHost (or separate service processes).</summary>
    public const string EndToEnd = "EndToEnd";

    /// <summary>Runs an external tool: promtool, kubectl, Spectral/Redocly.</summary>
    public const string Tools = "Tools";
}
