using System.Text.RegularExpressions;

namespace VideoAspire.Tests.Architecture;

/// <summary>Which product namespace uses which, read from the C# files' <c>namespace</c> and <c>using</c> lines.</summary>
public sealed partial class SourceNamespaceGraph(IReadOnlyDictionary<string, HashSet<string>> edges)
{
    public static SourceNamespaceGraph Read(string root, IEnumerable<string> projects)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var files = projects.SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } declared)
            {
                continue;
            }

            var from = declared.Groups[1].Value;
            var used = edges.TryGetValue(from, out var set) ? set : edges[from] = new(StringComparer.Ordinal);
            foreach (Match match in UsingLine().Matches(text))
            {
                // "using static Namespace.Type;" uses the type's namespace.
                var to = match.Groups[1].Success ? match.Groups[2].Value[..match.Groups[2].Value.LastIndexOf('.')] : match.Groups[2].Value;
                if (to != from && to.StartsWith("VideoAspire", StringComparison.Ordinal))
                {
                    used.Add(to);
                }
            }
        }

        return new(edges);
    }

    /// <summary>Each cycle as "A -> B -> A" (one per strongly connected group of namespaces).</summary>
    public IReadOnlyList<string> Cycles()
    {
        var cycles = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (reported.Contains(start) || FindPath(start, start, []) is not { } path)
            {
                continue;
            }

            reported.UnionWith(path);
            cycles.Add(string.Join(" -> ", path.Prepend(start)));
        }

        return cycles;
    }

    private List<string>? FindPath(string from, string target, HashSet<string> visited)
    {
        foreach (var next in edges.GetValueOrDefault(from) ?? [])
        {
            if (next == target)
            {
                return [next];
            }

            if (visited.Add(next) && FindPath(next, target, visited) is { } rest)
            {
                return [next, .. rest];
            }
        }

        return null;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(static\s+)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
