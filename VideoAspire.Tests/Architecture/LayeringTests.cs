using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using VideoAspire.Data;
using VideoAspire.Redis;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.YouTube;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;
using Assembly = System.Reflection.Assembly;

namespace VideoAspire.Tests.Architecture;

/// <summary>Dependencies run one way: domain ← data / YouTube / Redis ← Api, Worker; and no namespace cycles.</summary>
public class LayeringTests
{
    private static readonly Assembly Domain = typeof(ChannelId).Assembly;
    private static readonly Assembly Data = typeof(ChannelWriter).Assembly;
    private static readonly Assembly YouTube = typeof(YouTubeVideoSource).Assembly;
    private static readonly Assembly Redis = typeof(RedisExtensions).Assembly;
    private static readonly Assembly Api = typeof(Api.Extensions.Extensions).Assembly;
    private static readonly Assembly Worker = typeof(Worker.WorkerExtensions).Assembly;

    private static readonly System.Lazy<ArchUnitNET.Domain.Architecture> Product = new(() =>
        new ArchLoader().LoadAssemblies(Domain, Data, YouTube, Redis, Api, Worker).Build());

    [Fact]
    public void The_domain_depends_on_nothing_but_the_base_library()
    {
        var references = Domain.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal), $"the domain references {name}"));
    }

    public static TheoryData<string, string[]> Forbidden => new()
    {
        // The parts beside each other never reach into one another; none reaches up into a service.
        { "VideoAspire.Data", ["VideoAspire.YouTube", "VideoAspire.Redis", "VideoAspire.Api", "VideoAspire.Worker", "StackExchange.Redis"] },
        { "VideoAspire.YouTube", ["VideoAspire.Data", "VideoAspire.Redis", "VideoAspire.Api", "VideoAspire.Worker", "StackExchange.Redis", "Npgsql"] },
        { "VideoAspire.Redis", ["VideoAspire.Data", "VideoAspire.YouTube", "VideoAspire.Api", "VideoAspire.Worker", "Npgsql"] },
        { "VideoAspire.Api", ["VideoAspire.Worker"] },
        { "VideoAspire.Worker", ["VideoAspire.Api"] },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void A_part_does_not_reference_what_sits_beside_or_above_it(string part, string[] forbidden)
    {
        var assembly = new[] { Data, YouTube, Redis, Api, Worker }.Single(a => a.GetName().Name == part);
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, name => forbidden.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal)));
    }

    [Fact]
    public void Namespaces_have_no_cycles() =>
        Slices().Matching("VideoAspire.(**)").Should().BeFreeOfCycles().Check(Product.Value);

    /// <summary>
    /// The same over the source's <c>using</c> directives: a constant is compiled into its user, so the assemblies
    /// alone do not show a namespace that only reads another's constants.
    /// </summary>
    [Fact]
    public void Namespaces_have_no_cycles_in_the_source()
    {
        var graph = SourceNamespaceGraph.Read(Repository.Root, ["VideoAspire.Domain", "VideoAspire.Data", "VideoAspire.YouTube",
            "VideoAspire.Redis", "VideoAspire.ServiceDefaults", "VideoAspire.Api", "VideoAspire.Worker", "VideoAspire.MigrationService"]);
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "Namespace cycles:\n" + string.Join("\n", cycles));
    }
}

