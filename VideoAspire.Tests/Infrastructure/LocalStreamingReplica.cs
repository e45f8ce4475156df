using System.Diagnostics;
using Npgsql;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL hot standby of the fixture's server: <c>pg_basebackup -R</c> (streaming replication) into a folder
/// of its own, started on another loopback port. Replay can be paused to make it lag on purpose.
/// </summary>
public sealed class LocalStreamingReplica : IAsyncDisposable
{
    private readonly Process _server;

    private LocalStreamingReplica(Process server, string connectionString)
    {
        _server = server;
        ConnectionString = connectionString;
        Database = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    /// <summary>The standby, for reads (<see cref="TestCatalog.ScalarAsync{T}"/>).</summary>
    public NpgsqlDataSource Database { get; }

    public static async Task<LocalStreamingReplica> StartAsync(string bin, string primaryConnectionString, string directory)
    {
        var primary = new NpgsqlConnectionStringBuilder(primaryConnectionString);
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // PostgreSQL insists
        }

        if (Environment.IsPrivilegedProcess)
        {
            // PostgreSQL refuses to run as root: the standby, like the AppHost's server, runs as postgres.
            await LocalProcess.RunAsync("chown", "postgres:postgres", directory);
        }

        await LocalProcess.RunAsync(LocalProcess.AsPostgres(Path.Combine(bin, "pg_basebackup"),
            "-h", primary.Host!, "-p", primary.Port.ToString(), "-U", primary.Username ?? "postgres",
            "-D", directory, "-R", "-X", "stream", "-c", "fast"));

        var port = LocalProcess.FreePort();
        var server = Process.Start(LocalProcess.Command(LocalProcess.AsPostgres(Path.Combine(bin, "postgres"),
            "-D", directory, "-p", port.ToString(), "-k", Path.GetTempPath(), "-c", "listen_addresses=127.0.0.1", "-c", "hot_standby=on", "-c", "max_connections=200")))!; // not below the primary's
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        server.OutputDataReceived += (_, line) => log.Enqueue(line.Data ?? "");
        server.ErrorDataReceived += (_, line) => log.Enqueue(line.Data ?? "");
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var replica = new LocalStreamingReplica(server, new NpgsqlConnectionStringBuilder(primaryConnectionString) { Port = port }.ConnectionString);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if (await replica.Database.ScalarAsync<bool>("SELECT pg_is_in_recovery()"))
                {
                    return replica;
                }
            }
            catch (NpgsqlException ex)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"The standby did not start: {string.Join('\n', log)}", ex);
                }
            }

            await Task.Delay(200);
        }
    }

    public Task PauseReplayAsync() => Database.ExecuteAsync("SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => Database.ExecuteAsync("SELECT pg_wal_replay_resume()");

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server.Dispose();
    }
}
