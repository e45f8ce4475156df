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
    private static readonly Lazy<string> RenderedText = new(Render);
    private static readonly Lazy<IReadOnlyList<YamlMappingNode>> Rendered = new(() => Parse(RenderedText.Value));

    [Fact]
    public void The_api_runs_replicated_probed_bounded_and_autoscaled()
    {
        var api = Single("Deployment", "videoaspire-api");
        Assert.True(int.Parse(Scalar(api, "spec", "replicas")) >= 2, "at least two Api replicas");
        var container = Containers(api).Single();
        Assert.Equal("/ready", Scalar(container, "readinessProbe", "httpGet", "path"));
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
    public void Services_migrate_before_they_start_and_never_seed_demo_data(string deployment)
    {
        var pod = Node(Single("Deployment", deployment), "spec", "template", "spec");
        var migrations = Assert.Single(((YamlSequenceNode)Node(pod, "initContainers")).Cast<YamlMappingNode>());
        Assert.Contains("/videoaspire-migrations:", Scalar(migrations, "image"));
        var seed = ((YamlSequenceNode)Node(migrations, "env")).Cast<YamlMappingNode>().Single(v => Scalar(v, "name") == "Seed__DemoData");
        Assert.Equal("false", Scalar(seed, "value"));
        Assert.Equal(Canonical(Node(Containers(Single("Deployment", deployment)).Single(), "envFrom")), Canonical(Node(migrations, "envFrom")));
    }

    [Fact]
    public void The_rendered_manifests_break_no_rule_of_the_restricted_profile()
    {
        Assert.Empty(ManifestRules.Violations(Rendered.Value, AllowedRegistries()));
    }

    /// <summary>The rules are shown to fail: each mutation of the rendered output is reported.</summary>
    [Theory]
    [InlineData("non-numeric user", "no numeric non-root runAsUser")]
    [InlineData("missing user", "no numeric non-root runAsUser")]
    [InlineData("latest tag", "is not pinned")]
    [InlineData("no tag", "is not pinned")]
    [InlineData("unlisted registry", "is not from a registry the README lists")]
    [InlineData("no limits", "no memory limit")]
    [InlineData("no readiness probe", "no readinessProbe")]
    [InlineData("privilege escalation", "allowPrivilegeEscalation is not false")]
    [InlineData("capabilities kept", "capabilities do not drop ALL")]
    [InlineData("writable root", "the root filesystem is writable")]
    [InlineData("no seccomp profile", "seccompProfile is not RuntimeDefault")]
    [InlineData("service account token", "automountServiceAccountToken is not false")]
    [InlineData("root allowed", "runAsNonRoot is not true")]
    public void Each_broken_rule_is_reported(string mutation, string reported)
    {
        var documents = Parse(RenderedText.Value);
        var api = documents.Single(d => Scalar(d, "kind") == "Deployment" && Scalar(d, "metadata", "name") == "videoaspire-api");
        var pod = (YamlMappingNode)Node(api, "spec", "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)Node(pod, "containers"))[0];
        var init = (YamlMappingNode)((YamlSequenceNode)Node(pod, "initContainers"))[0];
        var podSecurity = (YamlMappingNode)Node(pod, "securityContext");
        var security = (YamlMappingNode)Node(container, "securityContext");
        switch (mutation)
        {
            case "non-numeric user": podSecurity.Children["runAsUser"] = new YamlScalarNode("app"); break;
            case "missing user": podSecurity.Children.Remove("runAsUser"); break;
            case "latest tag": container.Children["image"] = new YamlScalarNode("registry.example.com/videoaspire/videoaspire-api:latest"); break;
            case "no tag": container.Children["image"] = new YamlScalarNode("registry.example.com/videoaspire/videoaspire-api"); break;
            case "unlisted registry": container.Children["image"] = new YamlScalarNode("docker.io/someone/videoaspire-api:1.0.0"); break;
            case "no limits": ((YamlMappingNode)Node(init, "resources")).Children.Remove("limits"); break;
            case "no readiness probe": container.Children.Remove("readinessProbe"); break;
            case "privilege escalation": security.Children["allowPrivilegeEscalation"] = new YamlScalarNode("true"); break;
            case "capabilities kept": ((YamlMappingNode)Node(init, "securityContext")).Children.Remove("capabilities"); break;
            case "writable root": security.Children["readOnlyRootFilesystem"] = new YamlScalarNode("false"); break;
            case "no seccomp profile": podSecurity.Children.Remove("seccompProfile"); break;
            case "service account token": pod.Children["automountServiceAccountToken"] = new YamlScalarNode("true"); break;
            case "root allowed": podSecurity.Children.Remove("runAsNonRoot"); security.Children.Remove("runAsNonRoot"); break;
            default: throw new ArgumentOutOfRangeException(nameof(mutation));
        }

        Assert.Contains(ManifestRules.Violations(documents, AllowedRegistries()), violation => violation.Contains(reported, StringComparison.Ordinal));
    }

    [Fact]
    public void The_namespace_enforces_the_restricted_profile()
    {
        Assert.Equal("restricted", Scalar(Single("Namespace", "videoaspire"), "metadata", "labels", "pod-security.kubernetes.io/enforce"));
    }

    [Fact]
    public void Network_policies_deny_by_default_and_let_in_only_the_ingress_and_the_scraper()
    {
        var deny = Single("NetworkPolicy", "default-deny");
        Assert.Equal("{}", Canonical(Node(deny, "spec", "podSelector")));
        Assert.Equal("[\"Ingress\",\"Egress\"]", Canonical(Node(deny, "spec", "policyTypes")));

        var api = (YamlSequenceNode)Node(Single("NetworkPolicy", "videoaspire-api-ingress"), "spec", "ingress");
        Assert.Equal(["http", "metrics"], api.Cast<YamlMappingNode>().Select(rule => Scalar((YamlMappingNode)((YamlSequenceNode)Node(rule, "ports"))[0], "port")));
        var worker = (YamlSequenceNode)Node(Single("NetworkPolicy", "videoaspire-worker-ingress"), "spec", "ingress");
        Assert.Equal("metrics", Scalar((YamlMappingNode)((YamlSequenceNode)Node(Assert.Single(worker), "ports"))[0], "port"));

        var egress = Canonical(Node(Single("NetworkPolicy", "videoaspire-egress"), "spec", "egress"));
        foreach (var port in new[] { "53", "6379", "5432", "443" })
        {
            Assert.Contains($"\"port\":\"{port}\"", egress);
        }
    }

    [Theory]
    [InlineData("videoaspire-api")]
    [InlineData("videoaspire-worker")]
    public void Metrics_are_served_on_their_own_port_where_the_annotations_point(string deployment)
    {
        var workload = Single("Deployment", deployment);
        var container = Containers(workload).Single();
        var port = ((YamlSequenceNode)Node(container, "ports")).Cast<YamlMappingNode>().Single(p => Scalar(p, "name") == "metrics");
        Assert.Equal(Scalar(port, "containerPort"), Scalar(workload, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
        var settings = Configuration(deployment);
        Assert.Equal(Scalar(port, "containerPort"), settings["Metrics__Port"]);
        Assert.Contains(Scalar(port, "containerPort"), settings["ASPNETCORE_HTTP_PORTS"].Split(';'));
    }

    /// <summary>The registries the README's Deployment section names (backticked, ending in a slash).</summary>
    private static string[] AllowedRegistries()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var deployment = readme[readme.IndexOf("## Deployment", StringComparison.Ordinal)..];
        deployment = deployment[..deployment.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return [.. System.Text.RegularExpressions.Regex.Matches(deployment, @"`([a-z0-9.-]+\.[a-z]{2,}(?::\d+)?/[^`\s]*/)`").Select(m => m.Groups[1].Value)];
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
                // A value from the downward API (the pod's IP) stands in as an example address.
                settings[Scalar(variable, "name")] = variable.Children.ContainsKey("valueFrom") ? "10.1.2.3" : Scalar(variable, "value");
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

    private static IReadOnlyList<YamlMappingNode> Parse(string rendered)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(rendered));
        return stream.Documents.Select(document => (YamlMappingNode)document.RootNode).ToList();
    }

    private static string Render()
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
            return output.Result;
        }
    }
}
