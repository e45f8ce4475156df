using System.Net.Http.Headers;
using VideoAspire.Api.Security;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// The ports and probes a Kubernetes pod uses, on the real built services started as processes (no AppHost) the way the
/// manifests configure them: Production, host filtering on, the pod's IP in <c>POD_IP</c>, metrics on a second port.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(StoresCollection.Name)]
public sealed class ProbeAndMetricsPortTests(StoresFixture stores)
{
    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task Probes_and_scrapes_by_pod_ip_pass_host_filtering_and_metrics_need_no_token_only_on_their_port(string service)
    {
        var (main, metrics) = (LocalProcess.FreePort(), LocalProcess.FreePort());
        var settings = new Dictionary<string, string>(stores.ConnectionStrings.ToDictionary(p => p.Key, p => p.Value!))
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{main};http://0.0.0.0:{metrics}",
            ["Metrics:Port"] = metrics.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AllowedHosts"] = "videoaspire.example.com",
            ["POD_IP"] = "127.0.0.1",
            ["Auth:ValidAlgorithms:0"] = "HS256", // the test tokens' (production defaults to asymmetric ones)
        };
        foreach (var setting in TestTokens.ApiSettings)
        {
            settings[setting[..setting.IndexOf('=', StringComparison.Ordinal)]] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        await using var process = service == "api" ? ServiceProcess.StartApi(settings) : ServiceProcess.StartWorker(settings);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                using var ready = await client.GetAsync($"http://127.0.0.1:{main}/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"the {service} is ready\n{process.Log}");

        // Addressed by the pod's IP (as the kubelet and an annotation-based scraper do): allowed.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{main}/alive")).StatusCode);
        using (var scrape = await client.GetAsync($"http://127.0.0.1:{metrics}/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync());
        }

        // Any other Host is refused, on either port.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{metrics}/metrics"))
        {
            forged.Headers.Host = "attacker.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(forged)).StatusCode);
        }

        if (service == "api")
        {
            // The main port's /metrics still wants a token with metrics:read.
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"http://127.0.0.1:{main}/metrics")).StatusCode);
            using var authorized = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{main}/metrics");
            authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(Scopes.MetricsRead, subject: "prometheus"));
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(authorized)).StatusCode);
        }
    }
}
