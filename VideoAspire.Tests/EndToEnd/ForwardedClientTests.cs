using System.Net.Sockets;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// Behind an ingress the client is who <c>X-Forwarded-For</c> names, but only when a configured proxy says so: the real
/// Api process, its rate limit at three requests, a trusted proxy at 127.0.0.2 and an untrusted caller at 127.0.0.1.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(StoresCollection.Name)]
public sealed class ForwardedClientTests(StoresFixture stores)
{
    [Fact]
    public async Task Forwarded_clients_get_their_own_limit_only_behind_a_known_proxy_the_documents_share_it_and_websub_has_its_own()
    {
        var port = LocalProcess.FreePort();
        var settings = new Dictionary<string, string>(stores.ConnectionStrings.ToDictionary(p => p.Key, p => p.Value!))
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}",
            ["Auth:AllowAnonymousReads"] = "true",
            ["RateLimiting:TokenLimit"] = "3",
            ["RateLimiting:TokensPerPeriod"] = "1",
            ["RateLimiting:ReplenishmentPeriod"] = "01:00:00",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.2",
            ["YouTube:ApiBaseUrl"] = "http://127.0.0.1:9", // nothing listens: an unknown channel fails fast
            ["YouTube:FeedBaseUrl"] = "http://127.0.0.1:9",
            ["YouTube:WebSub:CallbackBaseUrl"] = "http://callback.videoaspire.test",
            ["YouTube:WebSub:Secret"] = "websub-test-secret-7f3a9c",
        };
        await using var api = ServiceProcess.StartApi(settings);
        using var untrusted = Client("127.0.0.1", port);
        using var proxy = Client("127.0.0.2", port);
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                return (await proxy.GetAsync("/alive")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"the Api is up\n{api.Log}");

        // A forged header from a caller that is not a known proxy changes nothing: its fourth request is refused.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add(await StatusAsync(untrusted, $"203.0.113.{i + 1}"));
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // Through the known proxy, each client named in the header has a bucket of its own.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(proxy, $"198.51.100.{i + 1}"));
        }

        // A batch costs a permit per distinct id: three ids spend a fresh client's whole budget of three.
        using (var batch = new HttpRequestMessage(HttpMethod.Get, $"/videos?channel_id={TestCatalog.NewChannelId()}&channel_id={TestCatalog.NewChannelId()}&channel_id={TestCatalog.NewChannelId()}"))
        {
            batch.Headers.Add("X-Forwarded-For", "192.0.2.7");
            Assert.Equal(HttpStatusCode.OK, (await proxy.SendAsync(batch)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(proxy, "192.0.2.7"));

        // The API's documents share the caller's budget (they cannot be used to spend the Api's CPU either).
        Assert.Equal(HttpStatusCode.TooManyRequests, (await untrusted.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await untrusted.GetAsync("/docs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await proxy.GetAsync("/openapi/v1.json")).StatusCode);

        // The WebSub callback's budget is its own: the caller that spent the API's still reaches it (an unknown intent).
        Assert.Equal(HttpStatusCode.NotFound,
            (await untrusted.GetAsync($"/websub/youtube/{VideoAspire.YouTube.WebSub.WebSubCallbackToken.New()}?hub.mode=subscribe&hub.topic=x&hub.challenge=c")).StatusCode);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/videos?channel_id=not-a-channel");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/> (any 127.x address is this machine).</summary>
    private static HttpClient Client(string localAddress, int port) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(10),
    };
}
