using System.Diagnostics;
using System.Net.Sockets;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster of three masters (no replicas) on loopback ports: <c>redis-server --cluster-enabled yes</c>
/// processes joined by <c>redis-cli --cluster create</c>, configured as the AppHost configures its own Redis.
/// </summary>
public sealed class LocalRedisCluster : IAsyncDisposable
{
    private readonly List<Process> _nodes = [];

    private LocalRedisCluster(IReadOnlyList<int> ports) => Ports = ports;

    public IReadOnlyList<int> Ports { get; }

    /// <summary>The StackExchange.Redis connection string: every master, so the client finds the cluster from any.</summary>
    public string ConnectionString => string.Join(',', Ports.Select(port => $"127.0.0.1:{port}"));

    public static async Task<LocalRedisCluster> StartAsync(string directory, int masters = 3)
    {
        var cluster = new LocalRedisCluster(FreePorts(masters));
        try
        {
            foreach (var port in cluster.Ports)
            {
                var nodeDirectory = Path.Combine(directory, port.ToString());
                Directory.CreateDirectory(nodeDirectory);
                cluster._nodes.Add(LocalProcess.Start("redis-server",
                    "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", nodeDirectory,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                    "--save", "", "--appendonly", "no",
                    "--maxmemory", "256mb", "--maxmemory-policy", "volatile-lru"));
            }

            foreach (var port in cluster.Ports)
            {
                await WaitUntilAsync(async () => (await RedisCliAsync("-p", port.ToString(), "PING")).Contains("PONG"), "node answers");
            }

            await RedisCliAsync(["--cluster", "create", .. cluster.Ports.Select(port => $"127.0.0.1:{port}"), "--cluster-replicas", "0", "--cluster-yes"]);
            foreach (var port in cluster.Ports)
            {
                await WaitUntilAsync(async () => (await RedisCliAsync("-p", port.ToString(), "CLUSTER", "INFO")).Contains("cluster_state:ok"),
                    "every node sees every slot served");
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Where(node => !node.HasExited))
        {
            node.Kill();
            await node.WaitForExitAsync();
        }
    }

    /// <summary>Ports free now whose cluster-bus port (+10000) is free too.</summary>
    private static List<int> FreePorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Random.Shared.Next(20_000, 30_000);
            if (!ports.Contains(port) && IsFree(port) && IsFree(port + 10_000))
            {
                ports.Add(port);
            }
        }

        return ports;

        static bool IsFree(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    private static async Task<string> RedisCliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return await output + await error;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Redis Cluster: timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
