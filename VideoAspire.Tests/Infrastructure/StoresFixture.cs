using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;
using VideoAspire.Data;
using VideoAspire.Redis;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// The integration tier's servers: one real <c>redis-server</c> and one real PostgreSQL, started as local processes on
/// loopback ports (no AppHost), the schema migrated, and the stores registered as the services register them. Starts
/// in a few seconds; shared by every integration test class.
/// </summary>
public sealed class StoresFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videoaspire-stores-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _redis;
    private Process? _postgres;

    public IHost Services { get; private set; } = null!;

    public IConnectionMultiplexer Redis => Services.Services.GetRequiredService<IConnectionMultiplexer>();

    public NpgsqlDataSource Database { get; private set; } = null!;

    /// <summary>The servers' connection strings, for services built on top of them (<c>ConnectionStrings:*</c>).</summary>
    public Dictionary<string, string?> ConnectionStrings { get; } = [];

    public async Task InitializeAsync()
    {
        var bin = LocalProcess.FindBinDirectory()
            ?? throw new InvalidOperationException("PostgreSQL's server binaries are not installed: run `make deps`.");
        var redisPort = LocalProcess.FreePort();
        Directory.CreateDirectory(_directory);
        _redis = LocalProcess.Start("redis-server", "--port", redisPort.ToString(), "--bind", "127.0.0.1", "--dir", _directory,
            "--save", "", "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "volatile-lru");

        var data = Path.Combine(_directory, "pg");
        Directory.CreateDirectory(data);
        if (Environment.IsPrivilegedProcess)
        {
            // PostgreSQL refuses to run as root: as the AppHost does, it runs as postgres.
            await LocalProcess.RunAsync("chown", "-R", "postgres:postgres", _directory);
        }

        await LocalProcess.RunAsync(LocalProcess.AsPostgres(Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"));
        var pgPort = LocalProcess.FreePort();
        _postgres = LocalProcess.Start(LocalProcess.AsPostgres(Path.Combine(bin, "postgres"), "-D", data, "-p", pgPort.ToString(),
            "-k", _directory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100"));

        var connectionString = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=postgres";
        Database = NpgsqlDataSource.Create(connectionString);
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                return await Database.ScalarAsync<int>("SELECT 1") == 1;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "PostgreSQL accepts connections");

        ConnectionStrings[$"ConnectionStrings:{ResourceNames.Cache}"] = $"127.0.0.1:{redisPort}";
        ConnectionStrings[$"ConnectionStrings:{ResourceNames.Database}"] = connectionString;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(ConnectionStrings);
        builder.AddVideoStore();
        builder.AddRedisStores();
        Services = builder.Build();

        await using var scope = Services.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<VideosDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        Services?.Dispose();
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        foreach (var process in new[] { _postgres, _redis }.OfType<Process>().Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files: the temp folder is cleaned by the system.
        }
    }
}
