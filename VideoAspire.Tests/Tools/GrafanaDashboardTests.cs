using System.Text.Json.Nodes;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Tools;

/// <summary>
/// deploy/grafana/videoaspire.json imports as a dashboard and every query in it is valid PromQL (promtool parses them as
/// recording rules). That each metric it queries is exported is checked end to end by MetricsTests.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Tools)]
public sealed class GrafanaDashboardTests
{
    private static readonly string DashboardPath = Repository.PathOf("deploy", "grafana", "videoaspire.json");

    /// <summary>The dashboard's queries, with Grafana's variables given the values Prometheus would see.</summary>
    public static IEnumerable<string> Queries() =>
        Panels(JsonNode.Parse(File.ReadAllText(DashboardPath))!)
            .SelectMany(panel => panel["targets"]?.AsArray() ?? [])
            .Select(target => target!["expr"]!.GetValue<string>()
                .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
                .Replace("$job", ".*", StringComparison.Ordinal));

    [Fact]
    public void Is_an_importable_dashboard_with_a_prometheus_input()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;

        Assert.Equal("videoaspire", dashboard["uid"]!.GetValue<string>());
        Assert.Equal("DS_PROMETHEUS", dashboard["__inputs"]![0]!["name"]!.GetValue<string>());
        var panels = Panels(dashboard).Where(p => p["type"]!.GetValue<string>() != "row").ToList();
        Assert.All(panels, panel =>
        {
            Assert.False(string.IsNullOrWhiteSpace(panel["title"]?.GetValue<string>()));
            Assert.NotEmpty(panel["targets"]!.AsArray());
            Assert.Equal("${DS_PROMETHEUS}", panel["datasource"]!["uid"]!.GetValue<string>());
        });
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
    }

    [Fact]
    public async Task Every_query_is_valid_promql()
    {
        // A rules file may be JSON (YAML's superset): one recording rule per query.
        var rules = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "dashboard",
                ["rules"] = new JsonArray(Queries().Select((expr, i) => (JsonNode)new JsonObject
                {
                    ["record"] = $"dashboard:query{i}",
                    ["expr"] = expr,
                }).ToArray()),
            }),
        };
        var file = Path.Combine(Path.GetTempPath(), $"videoaspire-dashboard-{Guid.NewGuid():N}.rules.yml");
        await File.WriteAllTextAsync(file, rules.ToJsonString());
        try
        {
            var (exitCode, output) = await Repository.RunAsync(
                "promtool", ["check", "rules", file], Path.GetTempPath(), "run `make deps-test` (Debian package prometheus).");

            Assert.True(exitCode == 0, output);
            Assert.Contains($"SUCCESS: {Queries().Count()} rules found", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<JsonNode> Panels(JsonNode dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(panel => new[] { panel! }.Concat(panel!["panels"]?.AsArray().Select(p => p!) ?? []));
}
