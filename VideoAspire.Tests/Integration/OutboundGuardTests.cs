using System.Net.Sockets;
using VideoAspire.Outbound;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// The guard on outbound requests to callers' URLs, over real sockets: a refused address is never connected to (a
/// listener on it counts no connection), whether named by a literal or by a host name that resolves to it.
/// </summary>
public sealed class OutboundGuardTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _accepted;

    public OutboundGuardTests()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _accepted);
                var stream = client.GetStream();
                await stream.WriteAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")] // a host name that resolves to loopback
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task A_url_that_reaches_an_inner_address_is_refused_without_a_connection(string host)
    {
        using var client = new HttpClient(OutboundGuard.PublicOnly.CreateHandler(TimeSpan.FromSeconds(2)));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{host}:{Port}/hook"));

        Assert.Contains("not public", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref _accepted));
        Assert.Equal("The URL's host resolves to an address that is not public.",
            await OutboundGuard.PublicOnly.CheckAsync(new Uri($"http://{host}:{Port}/hook"), requireHttps: false, CancellationToken.None));
    }

    [Theory]
    [InlineData("http://example.com/hook", true, "The URL must be https.")]
    [InlineData("ftp://example.com/hook", false, "The URL must be http or https.")]
    [InlineData("https://user:secret@example.com/hook", true, "The URL must not carry a user name or password.")]
    [InlineData("https://169.254.169.254/latest/meta-data", true, "The URL's host resolves to an address that is not public.")]
    [InlineData("https://[::1]/hook", true, "The URL's host resolves to an address that is not public.")]
    [InlineData("https://10.0.0.5/hook", true, "The URL's host resolves to an address that is not public.")]
    public async Task A_url_is_checked_before_it_is_kept(string url, bool requireHttps, string problem) =>
        Assert.Equal(problem, await OutboundGuard.PublicOnly.CheckAsync(new Uri(url), requireHttps, CancellationToken.None));

    [Fact]
    public async Task An_allow_listed_network_is_reached_and_redirects_are_never_followed()
    {
        var guard = new OutboundGuard([(IPAddress.Parse("127.0.0.0"), 8)]);
        using var handler = guard.CreateHandler(TimeSpan.FromSeconds(2));
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync($"http://127.0.0.1:{Port}/hook");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _accepted));
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseProxy);
    }

    public void Dispose() => _listener.Stop();
}
