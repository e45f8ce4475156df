using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Unit;

/// <summary>VideoAspire.Api.http sends every operation the OpenAPI document lists, and the read variants worth trying.</summary>
public sealed partial class HttpRequestFileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Repository.PathOf("VideoAspire.Api", "VideoAspire.Api.http"));

    [Fact]
    public void Every_documented_operation_has_a_request()
    {
        var document = JsonNode.Parse(File.ReadAllText(Repository.PathOf("openapi", "VideoAspire.Api.json")))!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();

        var requested = Lines.Select(line => RequestLine().Match(line)).Where(m => m.Success)
            .Select(m => $"{m.Groups["method"].Value} {Template(m.Groups["path"].Value)}")
            .ToHashSet();

        Assert.Empty(documented.Except(requested));
    }

    [Fact]
    public void Reads_show_a_batch_a_revalidation_and_waiting_for_YouTube()
    {
        Assert.Contains(Lines, line => line.StartsWith("GET ", StringComparison.Ordinal) && Regex.Count(line, "channel_id=") > 1);
        Assert.Contains(Lines, line => line.StartsWith("If-None-Match: {{latest.response.headers.ETag}}", StringComparison.Ordinal));
        Assert.Contains(Lines, line => line.Contains("wait=true", StringComparison.Ordinal));
        Assert.Contains(Lines, line => line.Contains("dotnet user-jwts create", StringComparison.Ordinal));
    }

    /// <summary>The request's path as the document spells it: no query, no trailing slash, variables for ids.</summary>
    private static string Template(string path) =>
        DeliverySegment().Replace(SubscriptionSegment().Replace(ChannelSegment().Replace(path.Split('?')[0].TrimEnd('/'), "/channels/{channelId}"),
            "/subscriptions/{id}"), "/deliveries/{deliveryId}");

    [GeneratedRegex(@"^(?<method>GET|PUT|POST|DELETE|PATCH) \{\{baseUrl\}\}(?<path>\S+)")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"/channels/(\{\{\w+\}\}|UC[\w-]{22})")]
    private static partial Regex ChannelSegment();

    [GeneratedRegex(@"/subscriptions/\{\{[^}]+\}\}")]
    private static partial Regex SubscriptionSegment();

    [GeneratedRegex(@"/deliveries/\{\{[^}]+\}\}")]
    private static partial Regex DeliverySegment();
}
