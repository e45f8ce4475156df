using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VideoAspire.AppHost;

/// <summary>
/// Redis and PostgreSQL as executables under the AppHost, for machines without a container runtime.
/// DCP starts them with the app and stops them with it; data lives in the repository's ignored .data folder.
/// </summary>
internal static class LocalProcesses
{
    public static bool AreInstalled([NotNullWhen(false)] out string? missing)
    {
        missing = FindOnPath("redis-server") is null ? "redis-server"
            : FindPostgresBinDirectory() is null ? "PostgreSQL (postgres, initdb)"
            : null;
        return missing is null;
    }

    public static BackingService AddRedis(IDistributedApplicationBuilder builder, string dataDirectory, string maxMemory)
    {
        Directory.CreateDirectory(dataDirectory);
        var port = HostProcess.FreeLoopbackPort();
        var redis = builder.AddExecutable("redis", FindOnPath("redis-server") ?? "redis-server", dataDirectory,
                "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
                "--maxmemory", maxMemory, "--maxmemory-policy", BackingServices.RedisEvictionPolicy,
                // Append-only file: the Worker hand-off stream survives a Redis restart.
                "--appendonly", "yes", "--save", "", "--dir", dataDirectory)
            .WithEndpoint("tcp", endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "tcp";
            });

        var connection = builder.AddConnectionString(ResourceNames.Cache,
            ReferenceExpression.Create($"{redis.GetEndpoint("tcp").Property(EndpointProperty.HostAndPort)}"));
        return BackingService.Of(connection, redis);
    }

    public static BackingService AddPostgres(IDistributedApplicationBuilder builder, string dataDirectory)
    {
        var bin = FindPostgresBinDirectory()
            ?? throw new DistributedApplicationException("PostgreSQL is not installed (apt-get install postgresql).");
        InitializeCluster(bin, dataDirectory);

        var port = HostProcess.FreeLoopbackPort();
        string[] serverArguments =
        [
            "-D", dataDirectory, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", Path.GetTempPath(),
            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
        ];

        // PostgreSQL refuses to run as root: drop to the postgres account when the AppHost is root (CI containers).
        string[] server = Environment.IsPrivilegedProcess
            ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", Path.Combine(bin, "postgres"), .. serverArguments]
            : [Path.Combine(bin, "postgres"), .. serverArguments];

        // DCP stops a process with SIGTERM, which PostgreSQL reads as "smart" shutdown: wait for every client to
        // disconnect, i.e. never while the Api and Worker hold pooled connections. Translate it to SIGINT ("fast").
        var postgres = builder.AddExecutable("postgres", "/bin/sh", dataDirectory,
                ["-c", FastShutdownWrapper, "postgres-wrapper", .. server])
            .WithEndpoint("tcp", endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "tcp";
            });

        var endpoint = postgres.GetEndpoint("tcp");
        var connection = builder.AddConnectionString(ResourceNames.Database, ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username=postgres;Database={ResourceNames.Database}"));
        return BackingService.Of(connection, postgres);
    }

    private const string FastShutdownWrapper =
        """trap 'kill -INT "$child" 2>/dev/null' TERM INT; "$@" & child=$!; while kill -0 "$child" 2>/dev/null; do wait "$child"; done""";

    /// <summary>First run only: creates the cluster (trust authentication on loopback; it is a local development server).</summary>
    private static void InitializeCluster(string bin, string dataDirectory)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        string[] initdb = [Path.Combine(bin, "initdb"), "-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-instructions"];
        int exitCode;
        string output;
        if (Environment.IsPrivilegedProcess)
        {
            HostProcess.Run("chown", ["-R", "postgres:postgres", dataDirectory], TimeSpan.FromSeconds(30), out _);
            HostProcess.Run("chmod", ["700", dataDirectory], TimeSpan.FromSeconds(30), out _);
            exitCode = HostProcess.Run("runuser", ["-u", "postgres", "--", .. initdb], TimeSpan.FromMinutes(2), out output);
        }
        else
        {
            exitCode = HostProcess.Run(initdb[0], initdb[1..], TimeSpan.FromMinutes(2), out output);
        }

        if (exitCode != 0)
        {
            throw new DistributedApplicationException(
                $"initdb failed for {dataDirectory} (exit {exitCode}). When the AppHost runs as root, PostgreSQL runs as " +
                $"the postgres user, which must be able to reach that folder (set Infrastructure:DataDirectory elsewhere). {output}");
        }
    }

    private static string? FindPostgresBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        var onPath = FindOnPath("postgres") is { } postgres ? Path.GetDirectoryName(postgres) : null;

        return candidates.Append(onPath)
            .FirstOrDefault(dir => dir is not null
                && File.Exists(Path.Combine(dir, "postgres"))
                && File.Exists(Path.Combine(dir, "initdb")));
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/bin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
