using System.Net;
using System.Net.Sockets;

namespace VideoAspire.Outbound;

/// <summary>
/// Outbound HTTP to URLs callers give (webhook endpoints) that cannot be turned against the inside: every connection
/// resolves the host itself, refuses it if any address it resolves to is not public (<see cref="PublicAddresses"/>) or
/// on the allow-list, connects only to the addresses it checked, and checks the address actually connected to. Checked
/// at every connection, not once, since DNS can change between the check and the request. Redirects are not followed.
/// </summary>
/// <param name="allowedNetworks">Networks reachable although not public: tests, private deployments.</param>
public sealed class OutboundGuard(IReadOnlyList<(IPAddress Network, int Prefix)> allowedNetworks)
{
    public static OutboundGuard PublicOnly { get; } = new([]);

    public bool Allows(IPAddress address)
    {
        // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d: the allow-list is written in IPv4.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return PublicAddresses.IsPublic(plain) || allowedNetworks.Any(range => PublicAddresses.InNetwork(plain, range.Network, range.Prefix));
    }

    /// <summary>A handler for an HttpClient that goes nowhere it should not, and never follows a redirect.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectCallback = ConnectAsync,
        ConnectTimeout = connectTimeout,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false, // a proxy would connect on our behalf, past these checks
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are picked up
    };

    /// <summary>Why a URL cannot be an endpoint (null when it can): its scheme, a user name, or where its host resolves to.</summary>
    public async Task<string?> CheckAsync(Uri url, bool requireHttps, CancellationToken cancellationToken)
    {
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps && (requireHttps || url.Scheme != Uri.UriSchemeHttp))
        {
            return requireHttps ? "The URL must be https." : "The URL must be http or https.";
        }

        if (url.UserInfo.Length > 0)
        {
            return "The URL must not carry a user name or password.";
        }

        try
        {
            var addresses = await ResolveAsync(url.IdnHost, cancellationToken);
            return addresses.All(Allows) ? null : "The URL's host resolves to an address that is not public.";
        }
        catch (SocketException)
        {
            return "The URL's host does not resolve.";
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        // One refused address refuses the host: a name answering both a public and an inner address is an attack.
        if (addresses.Length == 0 || !addresses.All(Allows))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"'{host}' resolves to an address that is not public: not connected.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            if (socket.RemoteEndPoint is not IPEndPoint remote || !Allows(remote.Address))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connected to a refused address for '{host}'.");
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
}
