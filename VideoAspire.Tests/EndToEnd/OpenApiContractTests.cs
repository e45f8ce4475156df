using System.Text.Json;
using System.Text.Json.Nodes;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.Tests.Tools;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The running service keeps the contract it publishes: it serves the committed document, and a contract-test run
/// generated from that document (Portman → Newman) passes against it for every operation.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed class OpenApiContractTests(AppHostFixture fixture)
{
    private static readonly string CommittedDocument = Repository.PathOf("openapi", "VideoAspire.Api.json");

    [Fact]
    public async Task Running_service_serves_the_committed_document()
    {
        var served = JsonNode.Parse(await fixture.Api.GetStringAsync("/openapi/v1.json"));
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument));

        Assert.True(JsonNode.DeepEquals(served, committed),
            "The Api's OpenAPI document differs from openapi/VideoAspire.Api.json: run `make openapi` and commit the result. " +
            $"First difference: {FirstDifference(committed, served, "$")}");
    }

    [Fact]
    public async Task The_document_and_the_reference_page_are_answered_from_the_output_cache()
    {
        foreach (var path in new[] { "/openapi/v1.json", "/docs" })
        {
            await TestCatalog.EventuallyAsync(async () =>
            {
                using var anonymous = new HttpClient { BaseAddress = fixture.Api.BaseAddress };
                using var response = await anonymous.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response.Headers.Age is not null; // set only on an answer served from the cache
            }, TimeSpan.FromSeconds(10), $"{path} is served from the output cache");
        }
    }

    [Fact]
    public async Task Contract_tests_generated_from_the_document_pass_for_every_operation()
    {
        var work = Directory.CreateTempSubdirectory("videoaspire-contract-");
        await using var receiver = await WebhookReceiver.StartAsync();
        try
        {
            var collection = Path.Combine(work.FullName, "collection.json");
            var (generated, generateOutput) = await OpenApiLintTests.RunToolAsync("portman",
                "--local", "VideoAspire.Api.json", "--portmanConfigFile", "portman-config.json",
                "--baseUrl", fixture.Api.BaseAddress!.ToString().TrimEnd('/'), "--output", collection);
            Assert.True(generated == 0 && File.Exists(collection), generateOutput);

            var report = Path.Combine(work.FullName, "report.json");
            var (exitCode, output) = await OpenApiLintTests.RunToolAsync("newman", "run", collection,
                "--env-var", $"bearerToken={TestTokens.Create($"{Scopes.VideosWrite} {Scopes.VideosSubscribe}")}",
                "--env-var", $"webhookUrl={receiver.UrlOf(receiver.Add())}",
                "--env-var", $"channelId={TestCatalog.NewChannelId()}",
                "--env-var", $"videoId={TestCatalog.NewVideoId()}",
                "--reporters", "cli,json", "--reporter-json-export", report, "--color", "off");
            Assert.True(exitCode == 0, output);

            // Every documented operation was exercised, each with assertions, and none failed.
            using var run = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var stats = run.RootElement.GetProperty("run").GetProperty("stats");
            var operations = JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument))!["paths"]!.AsObject()
                .Sum(path => path.Value!.AsObject().Count);
            Assert.Equal(operations, stats.GetProperty("requests").GetProperty("total").GetInt32());
            Assert.Equal(0, stats.GetProperty("requests").GetProperty("failed").GetInt32());
            Assert.True(stats.GetProperty("assertions").GetProperty("total").GetInt32() >= operations * 3, output);
            Assert.Equal(0, stats.GetProperty("assertions").GetProperty("failed").GetInt32());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string FirstDifference(JsonNode? expected, JsonNode? actual, string path) => (expected, actual) switch
    {
        (JsonObject e, JsonObject a) => e.Select(p => p.Key).Union(a.Select(p => p.Key))
            .Select(key => FirstDifference(e[key], a[key], $"{path}.{key}")).FirstOrDefault(d => d.Length > 0) ?? "",
        (JsonArray e, JsonArray a) when e.Count == a.Count => e.Select((item, i) => FirstDifference(item, a[i], $"{path}[{i}]"))
            .FirstOrDefault(d => d.Length > 0) ?? "",
        _ when JsonNode.DeepEquals(expected, actual) => "",
        _ => $"{path}: committed {expected?.ToJsonString() ?? "(absent)"}, served {actual?.ToJsonString() ?? "(absent)"}",
    };
}
