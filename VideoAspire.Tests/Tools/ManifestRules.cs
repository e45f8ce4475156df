using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace VideoAspire.Tests.Tools;

/// <summary>
/// What a rendered workload must be to start and stay safe on a cluster enforcing Pod Security "restricted": each
/// broken rule is one line naming the workload and container.
/// </summary>
public static partial class ManifestRules
{
    public static List<string> Violations(IReadOnlyList<YamlMappingNode> documents, IReadOnlyCollection<string> allowedRegistries)
    {
        var violations = new List<string>();
        foreach (var workload in documents.Where(d => Text(d, "kind") is "Deployment" or "StatefulSet" or "DaemonSet" or "Job"))
        {
            var name = $"{Text(workload, "kind")}/{Text(workload, "metadata", "name")}";
            var pod = Find(workload, "spec", "template", "spec") as YamlMappingNode;
            if (pod is null)
            {
                violations.Add($"{name}: no pod template");
                continue;
            }

            if (Text(pod, "automountServiceAccountToken") != "false")
            {
                violations.Add($"{name}: automountServiceAccountToken is not false");
            }

            var podSecurity = Find(pod, "securityContext");
            foreach (var container in Sequence(pod, "initContainers").Concat(Sequence(pod, "containers")).OfType<YamlMappingNode>())
            {
                var where = $"{name}/{Text(container, "name")}";
                var isInit = Sequence(pod, "initContainers").Contains(container);
                var security = Find(container, "securityContext");

                // Container settings win over the pod's.
                string? Effective(string key) => Text(security, key) ?? Text(podSecurity, key);
                if (Effective("runAsNonRoot") != "true")
                {
                    violations.Add($"{where}: runAsNonRoot is not true");
                }

                if (!long.TryParse(Effective("runAsUser"), out var user) || user <= 0)
                {
                    violations.Add($"{where}: no numeric non-root runAsUser");
                }

                if ((Text(security, "seccompProfile", "type") ?? Text(podSecurity, "seccompProfile", "type")) is not ("RuntimeDefault" or "Localhost"))
                {
                    violations.Add($"{where}: seccompProfile is not RuntimeDefault");
                }

                if (Text(security, "allowPrivilegeEscalation") != "false")
                {
                    violations.Add($"{where}: allowPrivilegeEscalation is not false");
                }

                if (!Sequence(security, "capabilities", "drop").OfType<YamlScalarNode>().Any(c => c.Value == "ALL"))
                {
                    violations.Add($"{where}: capabilities do not drop ALL");
                }

                if (Text(security, "readOnlyRootFilesystem") != "true")
                {
                    violations.Add($"{where}: the root filesystem is writable");
                }

                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        if (string.IsNullOrEmpty(Text(container, "resources", kind, resource)))
                        {
                            violations.Add($"{where}: no {resource} {kind[..^1]}");
                        }
                    }
                }

                if (!isInit)
                {
                    foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                    {
                        if (Find(container, probe) is null)
                        {
                            violations.Add($"{where}: no {probe}");
                        }
                    }
                }

                var image = Text(container, "image") ?? "";
                var pinned = PinnedImage().Match(image);
                if (!pinned.Success || pinned.Groups["tag"].Value is "" or "latest" && pinned.Groups["digest"].Value == "")
                {
                    violations.Add($"{where}: image '{image}' is not pinned to a version tag or a digest");
                }

                if (!allowedRegistries.Any(registry => image.StartsWith(registry, StringComparison.Ordinal)))
                {
                    violations.Add($"{where}: image '{image}' is not from a registry the README lists");
                }
            }
        }

        return violations;
    }

    /// <summary>name[:tag][@sha256:digest]; the name may carry a registry with a port.</summary>
    [GeneratedRegex(@"^(?<name>[a-z0-9][a-z0-9._/:-]*?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$")]
    private static partial Regex PinnedImage();

    private static YamlNode? Find(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private static string? Text(YamlNode? node, params string[] path) => (Find(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Sequence(YamlNode? node, params string[] path) =>
        Find(node, path) as YamlSequenceNode ?? Enumerable.Empty<YamlNode>();
}
