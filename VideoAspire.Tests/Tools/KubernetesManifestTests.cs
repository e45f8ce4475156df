using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Worker;
using YamlDotNet.RepresentationModel;

namespace VideoAspire.Tests.Tools;

/// <summary>
/// deploy/kubernetes renders with <c>kubectl kustomize</c> (kubectl comes with <c>make deps-test</c>), and what it renders is
/// enough to run: the configuration it gives each service passes that service's own start-up validation in Production.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Tools)]
public sealed class KubernetesManifestTests
{
    private static readonly Lazy<IReadOnlyList<YamlMappingNode>> Rendered = new(Render);

    [Fact]
    public void The_api_runs_replicated_probed_bounded_and_autoscaled()
    {
        var api = Single("Deployment", "videoaspire-api");
        Assert.True(int.Parse(Scalar(api, "spec", "replicas")) >= 2, "at least two Api replicas");
        var container = Containers(api).Single();
        Assert.Equal("/health", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/alive", Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.NotEmpty(Scalar(container, "resources", "requests", "cpu"));
        Assert.NotEmpty(Scalar(container, "resources", "limits", "memory"));

        var selector = Node(api, "spec", "selector", "matchLabels");
        Assert.Equal(Canonical(selector), Canonical(Node(Single("PodDisruptionBudget", "videoaspire-api"), "spec", "selector", "matchLabels")));
        Assert.Equal(Canonical(selector), Canonical(Node(Single("Service", "videoaspire-api"), "spec", "selector")));
        var autoscaler = Single("HorizontalPodAutoscaler", "videoaspire-api");
        Assert.Equal("videoaspire-api", Scalar(autoscaler, "spec", "scaleTargetRef", "name"));
        Assert.Equal("cpu", Scalar((YamlMappingNode)((YamlSequenceNode)Node(autoscaler, "spec", "metrics"))[0], "resource", "name"));
    }

    [Theory]
    [InlineData("videoaspire-api")]
    [InlineData("videoaspire-worker")]
    public void Services_start_after_the_migration_job(string deployment)
    {
        var job = Single("Job", "videoaspire-migrations");
        var wait = Node(Single("Deployment", deployment), "spec", "template", "spec", "initContainers");
        Assert.Contains($"job/{Scalar(job, "metadata", "name")}", Canonical(wait));
    }

    [Fact]
    public void The_api_configuration_passes_its_production_validation()
    {
        var settings = Configuration("videoaspire-api");
        Assert.Equal("Production", settings["ASPNETCORE_ENVIRONMENT"]);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(AsConfiguration(settings));
        builder.AddServiceDefaults();
        VideoAspire.Api.Extensions.Extensions.AddApplicationServices(builder);
        builder.AddApiSecurity();
        using var app = builder.Build();

        app.Services.GetRequiredService<IStartupValidator>().Validate(); // throws what the Api would refuse to start with
        Assert.StartsWith("Host=", app.Configuration.GetConnectionString("videosdb"));
        Assert.NotEmpty(app.Configuration.GetConnectionString("cache")!);
    }

    [Fact]
    public void The_worker_configuration_passes_its_production_validation()
    {
        var settings = Configuration("videoaspire-worker");

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = settings["ASPNETCORE_ENVIRONMENT"] });
        builder.Configuration.AddInMemoryCollection(AsConfiguration(settings));
        builder.AddWorkerServices();
        using var host = builder.Build();

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.StartsWith("Host=", host.Services.GetRequiredService<IConfiguration>().GetConnectionString("videosdb"));
        Assert.NotEmpty(host.Services.GetRequiredService<IConfiguration>().GetConnectionString("cache")!);
    }

    [Fact]
    public void The_prometheus_rule_holds_the_same_alerts_as_the_rules_file()
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(Repository.Root, "deploy", "prometheus", "alerts.yml")))
        {
            stream.Load(reader);
        }

        var rulesFile = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal(Canonical(Node(rulesFile, "groups")), Canonical(Node(Single("PrometheusRule", "videoaspire"), "spec", "groups")));
    }

    /// <summary>Every environment variable a Deployment's container gets: its own env, and the ConfigMaps and Secrets it reads whole.</summary>
    private static Dictionary<string, string> Configuration(string deployment)
    {
        var container = Containers(Single("Deployment", deployment)).Single();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (container.Children.TryGetValue("envFrom", out var sources))
        {
            foreach (YamlMappingNode source in (YamlSequenceNode)sources)
            {
                var (kind, reference) = source.Children.ContainsKey("configMapRef") ? ("ConfigMap", "configMapRef") : ("Secret", "secretRef");
                var data = Single(kind, Scalar(source, reference, "name"));
                foreach (var (key, value) in (YamlMappingNode)Node(data, "data"))
                {
                    var text = ((YamlScalarNode)value).Value!;
                    settings[((YamlScalarNode)key).Value!] = kind == "Secret" ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;
                }
            }
        }

        if (container.Children.TryGetValue("env", out var variables))
        {
            foreach (YamlMappingNode variable in (YamlSequenceNode)variables)
            {
                settings[Scalar(variable, "name")] = Scalar(variable, "value");
            }
        }

        return settings;
    }

    /// <summary>Environment variable names as .NET configuration reads them (<c>__</c> separates sections).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(Dictionary<string, string> environment) =>
        environment.Select(pair => new KeyValuePair<string, string?>(pair.Key.Replace("__", ":", StringComparison.Ordinal), pair.Value));

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        ((YamlSequenceNode)Node(workload, "spec", "template", "spec", "containers")).Cast<YamlMappingNode>();

    private static YamlMappingNode Single(string kind, string name) =>
        Assert.Single(Rendered.Value, document => Scalar(document, "kind") == kind
            && (Scalar(document, "metadata", "name") == name
                // Generated ConfigMaps and Secrets carry a hash of their content in their name.
                || (kind is "ConfigMap" or "Secret" && Scalar(document, "metadata", "name").StartsWith(name + "-", StringComparison.Ordinal))));

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.True(((YamlMappingNode)node).Children.TryGetValue(key, out var child), $"missing '{key}' in {string.Join('.', path)}");
            node = child;
        }

        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value ?? "";

    /// <summary>A node as text, mapping keys sorted: equal text, equal content.</summary>
    private static string Canonical(YamlNode node) => node switch
    {
        YamlScalarNode scalar => System.Text.Json.JsonSerializer.Serialize(scalar.Value),
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Select(Canonical)) + "]",
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children
            .OrderBy(pair => ((YamlScalarNode)pair.Key).Value, StringComparer.Ordinal)
            .Select(pair => Canonical(pair.Key) + ":" + Canonical(pair.Value))) + "}",
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    private static IReadOnlyList<YamlMappingNode> Render()
    {
        var directory = Path.Combine(Repository.Root, "deploy", "kubernetes");
        var startInfo = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add("kustomize");
        startInfo.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("kubectl is not installed: run `make deps-test` (Debian package kubectl).");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "kubectl kustomize did not finish");
            Assert.True(process.ExitCode == 0, errors);
            var stream = new YamlStream();
            stream.Load(new StringReader(output.Result));
            return stream.Documents.Select(document => (YamlMappingNode)document.RootNode).ToList();
        }
    }
}
