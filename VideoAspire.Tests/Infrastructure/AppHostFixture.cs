using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;
using VideoAspire.Api.Security;
using VideoAspire.AppHost;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// Starts the real AppHost once for the whole end-to-end collection: real Redis and PostgreSQL (containers
/// where Docker runs, local processes otherwise), the migration step, the Api and the Worker.
/// Every wait has a timeout so a missing dependency fails the run instead of hanging it.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "videoaspire-tests-" + Guid.NewGuid().ToString("N")[..8]);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost is not started.");

    public HttpClient Api { get; private set; } = null!;

    public NpgsqlDataSource Database { get; private set; } = null!;

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>The only fake: YouTube, over real HTTP in its real wire formats.</summary>
    public FakeYouTube YouTube { get; private set; } = null!;

    /// <summary>Settings the tests rely on: fast Worker schedule and access flush so effects show within seconds.</summary>
    public static readonly string[] Settings =
    [
        "Worker:CacheRefreshInterval=00:00:01",
        "Worker:RecentlyAccessedWindow=00:10:00",
        "Worker:HandoffPollInterval=00:00:00.200",
        "Worker:HandoffClaimIdle=00:00:03",
        "Worker:ChannelRefreshInterval=00:00:03",
        "Worker:QuotaBudgetPerHour=1000000",
        "Api:AccessFlushInterval=00:00:00.500",
        // Two Api instances behind the proxy: single-flight and caching must hold across instances.
        "AppHost:ApiReplicas=2",
        // Two Worker replicas: scheduled jobs run once per interval across them, the hand-off is spread over them.
        "AppHost:WorkerReplicas=2",
        "Worker:ClusterCheckinInterval=00:00:01",
        "YouTube:AttemptTimeout=00:00:02",
        "YouTube:TotalTimeout=00:00:03",
        "YouTube:RequestBudget=00:00:01",
        "Auth:AllowAnonymousReads=false",
        "RateLimiting:TokenLimit=100",
        "RateLimiting:TokensPerPeriod=100",
        "RateLimiting:ReplenishmentPeriod=00:00:01",
        "Streaming:ConnectionsPerCaller=3",
        "Streaming:KeepAliveInterval=00:00:01",
        "Streaming:MaxDuration=00:00:15", // the contract run reads the stream to its end
        // Webhooks: receivers on 127.0.0.2 only (WebhookReceiver); a short schedule, grace and limits the tests can reach.
        $"Notifications:AllowedNetworks:0={WebhookReceiver.Address}/32",
        "Notifications:RequestTimeout=00:00:02",
        "Notifications:RetrySchedule:0=00:00:01",
        "Notifications:RetrySchedule:1=00:00:02",
        "Notifications:RetrySchedule:2=00:00:02",
        "Notifications:SecretRotationGrace=00:00:05",
        "Notifications:DisableAfter=00:00:07",
        "Notifications:MaxChannelsPerSubscription=3",
        "Notifications:MaxSubscriptionsPerCaller=5",
        "Worker:SubscribedChannelsInterval=00:00:01",
        $"YouTube:ApiKey={FakeYouTube.ApiKey}",
        // The tests' reads share a few token subjects: one caller's default 500 Data API units a day would run out over
        // a suite, and its cold lookups fall back to the feed (the per-caller cap has its own test, on real Redis).
        $"YouTube:DailyQuotaUnits={DailyQuotaUnits}",
        $"YouTube:CallerDailyUnits={DailyQuotaUnits}",
        // WebSub on: the public callback names an ingress the stand-in hub maps to the Api (FakeWebSubHub.CallbackTarget).
        "YouTube:WebSub:CallbackBaseUrl=http://callback.videoaspire.test",
        $"YouTube:WebSub:Secret={WebSubSecret}",
        "YouTube:WebSub:SubscriptionInterval=00:00:01",
        "YouTube:WebSub:PendingTimeout=00:00:05",
        "YouTube:WebSub:RenewBefore=00:02:00",
        "YouTube:WebSub:SubscribeWindow=00:10:00",
    ];

    public const string WebSubSecret = "websub-test-secret-7f3a9c";

    /// <summary>The day's Data API units in the tests' AppHost (<c>YouTube:DailyQuotaUnits</c>), and each caller's.</summary>
    public const int DailyQuotaUnits = 100_000_000;

    public async Task InitializeAsync()
    {
        YouTube = await FakeYouTube.StartAsync();
        var infrastructure = await StartInfrastructureAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.VideoAspire_AppHost>(
            [
                .. Settings,
                .. OwnSettings,
                .. infrastructure,
                .. TestTokens.ApiSettings,
                $"Infrastructure:DataDirectory={_dataDirectory}",
                $"YouTube:ApiBaseUrl={YouTube.BaseUrl}",
                $"YouTube:FeedBaseUrl={YouTube.BaseUrl}",
                $"YouTube:WebSub:HubUrl={YouTube.BaseUrl}/subscribe",
            ],
            (options, _) => options.DisableDashboard = true);

        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("VideoAspire.AppHost.Resources", LogLevel.Warning));

        // No dashboard means no OTLP collector: without this every process waits ~15 s for its exporter on stop.
        builder.WithoutOtlpExport();

        _app = await builder.BuildAsync().WaitAsync(StartTimeout);
        await _app.StartAsync().WaitAsync(StartTimeout);

        using var ready = new CancellationTokenSource(StartTimeout);
        try
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Api, ready.Token);
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Worker, ready.Token);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{ex.Message}\n{await ServiceLogsAsync()}", ex);
        }

        // Reads need a token (anonymous reads are off, as in production): the shared client carries a read token.
        Api = CreateApiClient(TestTokens.Create(Scopes.VideosRead, subject: "test-reader"));
        YouTube.Hub.CallbackTarget = Api.BaseAddress;
        Database = NpgsqlDataSource.Create(await ConnectionStringAsync(ResourceNames.Database));
        var redisOptions = ConfigurationOptions.Parse(await ConnectionStringAsync(ResourceNames.Cache));
        redisOptions.AbortOnConnectFail = false;
        redisOptions.AllowAdmin = true;
        Redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
    }

    /// <summary>
    /// A stored channel (one video, two days old) that the hub will verify, read once so the Worker subscribes it; returns
    /// when the subscription is verified on both sides.
    /// </summary>
    public async Task<(string ChannelId, string StoredVideoId)> SubscribedChannelAsync(int leaseSeconds = 432_000)
    {
        var channelId = TestCatalog.NewChannelId();
        var stored = TestCatalog.NewVideoId();
        await Database.AddChannelAsync(channelId);
        await Database.AddVideoAsync(channelId, stored, "Stored before", DateTimeOffset.UtcNow.AddDays(-2));
        YouTube.Hub.Accept(channelId, leaseSeconds);

        Assert.Single(await ReadVideosAsync($"/videos?channel_id={channelId}", channelId));
        await TestCatalog.EventuallyAsync(
            async () => YouTube.Hub.IsSubscribed(channelId)
                        && await Database.ScalarAsync<bool>(
                            "SELECT lease_expires_at IS NOT NULL FROM websub_subscriptions WHERE channel_id = $1", channelId),
            // The subscription job works through every channel the suite has read, newest first, 200 a run.
            TimeSpan.FromSeconds(90), "the channel read is subscribed and the hub has verified it");
        return (channelId, stored);
    }

    /// <summary>GETs a read path with the shared read token, expects 200, and returns the channel's videos.</summary>
    public async Task<List<System.Text.Json.JsonElement>> ReadVideosAsync(string path, string channelId)
    {
        using var response = await Api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty(channelId).EnumerateArray().Select(v => v.Clone()).ToList();
    }

    /// <summary>A client for the Api with the given bearer token, or none.</summary>
    public HttpClient CreateApiClient(string? token = null)
    {
        var client = App.CreateHttpClient(ResourceNames.Api);
        client.Timeout = TimeSpan.FromSeconds(30);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// The address of each running replica of a service (its own port, not the proxy's), read from the environment DCP
    /// gave each process: the proxy may hand every new connection to the same replica, so a test that must reach each
    /// one goes there directly.
    /// </summary>
    public IReadOnlyList<Uri> ReplicaAddresses(string project) =>
        ServiceProcesses(project)
            .Select(pid => EnvironmentOf(pid).First(variable => variable.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))["ASPNETCORE_URLS=".Length..]
                .Split(';').First(url => url.StartsWith("http://", StringComparison.Ordinal)))
            .Select(url => new Uri(url.Replace("+", "localhost").Replace("*", "localhost")))
            .ToList();

    /// <summary>
    /// This fixture's running processes of a project: another fixture's AppHost may run the same project beside it, so
    /// they are told apart by the stand-in YouTube each was pointed at.
    /// </summary>
    public List<int> ServiceProcesses(string project) =>
        FindProcesses(c => c.Contains($"{project}/bin/", StringComparison.Ordinal) && !c.Contains("dotnet", StringComparison.Ordinal))
            .Where(pid => EnvironmentOf(pid).Contains($"YouTube__ApiBaseUrl={YouTube.BaseUrl}"))
            .ToList();

    private static string[] EnvironmentOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (IOException)
        {
            return []; // exited meanwhile
        }
    }

    /// <summary>A client for one Api replica's own address (see <see cref="ReplicaAddresses"/>).</summary>
    public static HttpClient CreateReplicaClient(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The resource that runs the Redis server: the "redis" executable, or the "cache" container.</summary>
    public string RedisServerResource =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Any(r => r.Name == "redis")
            ? "redis"
            : ResourceNames.Cache;

    /// <summary>
    /// Stops the Redis server and waits until it is unreachable; disposing starts it again and waits until it answers.
    /// </summary>
    public Task<IAsyncDisposable> StopRedisAsync() => StopServerAsync(RedisServerResource, "Redis", RedisAnswersAsync);

    /// <summary>The same for PostgreSQL.</summary>
    public Task<IAsyncDisposable> StopPostgresAsync() => StopServerAsync("postgres", "PostgreSQL", PostgresAnswersAsync);

    private async Task<IAsyncDisposable> StopServerAsync(string resource, string what, Func<Task<bool>> answers)
    {
        await ExecuteResourceCommandAsync(resource, "resource-stop");
        await TestCatalog.EventuallyAsync(async () => !await answers(), TimeSpan.FromSeconds(30), $"{what} is down");
        return new Restart(async () =>
        {
            await ExecuteResourceCommandAsync(resource, "resource-start");
            await TestCatalog.EventuallyAsync(answers, TimeSpan.FromSeconds(60), $"{what} is back");
            // The services reconnect on their own schedule: wait until every instance's readiness check passes again
            // (several in a row, so both Api replicas behind the proxy have answered).
            var healthy = 0;
            await TestCatalog.EventuallyAsync(async () =>
            {
                using var response = await Api.GetAsync("/health");
                healthy = response.IsSuccessStatusCode ? healthy + 1 : 0;
                return healthy >= 6;
            }, TimeSpan.FromSeconds(60), $"the Api instances reach {what} again");
        });
    }

    /// <summary>
    /// Freezes the local PostgreSQL (SIGSTOP to the postmaster and every backend): connections hang instead of
    /// failing, as with a stalled disk or a paused VM. Disposing thaws it (SIGCONT).
    /// </summary>
    public IAsyncDisposable FreezePostgres()
    {
        var dataDirectory = Path.Combine(_dataDirectory, "postgres");
        var postmaster = FindProcess(commandLine => commandLine.Contains(dataDirectory, StringComparison.Ordinal)
                                                    && commandLine.Contains("/bin/postgres", StringComparison.Ordinal)
                                                    && !commandLine.StartsWith("/bin/sh", StringComparison.Ordinal));
        var pids = new List<int> { postmaster };
        pids.AddRange(File.ReadAllText($"/proc/{postmaster}/task/{postmaster}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        Signal("STOP", pids);
        return new Restart(() =>
        {
            Signal("CONT", pids);
            return Task.CompletedTask;
        });
    }

    /// <summary>The one local process whose command line matches (the AppHost runs everything as processes here).</summary>
    public static int FindProcess(Func<string, bool> commandLine) => FindProcesses(commandLine).Single();

    public static List<int> FindProcesses(Func<string, bool> commandLine) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => (Pid: int.Parse(name!), CommandLine: ReadCommandLine(int.Parse(name!))))
            .Where(p => commandLine(p.CommandLine)).Select(p => p.Pid).ToList();

    public static void Signal(string signal, IEnumerable<int> pids)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, .. pids.Select(p => p.ToString())]);
        kill.WaitForExit();
    }

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private async Task<bool> RedisAnswersAsync()
    {
        try
        {
            await Redis.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private async Task<bool> PostgresAnswersAsync()
    {
        try
        {
            Database.Clear(); // no pooled connection may pretend the server is there
            await using var connection = await Database.OpenConnectionAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private sealed class Restart(Func<Task> restart) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restart();
    }

    /// <summary>Runs a resource command on every replica of the resource (commands address one instance each).</summary>
    public async Task ExecuteResourceCommandAsync(string resource, string command)
    {
        foreach (var instance in await InstancesAsync(resource))
        {
            var result = await App.ResourceCommands.ExecuteCommandAsync(instance, command).WaitAsync(StartTimeout);
            Assert.True(result.Success, $"{command} on {instance} failed: {result.Message}");
        }
    }

    /// <summary>The last lines each service instance logged: what a failed start says about itself.</summary>
    private async Task<string> ServiceLogsAsync()
    {
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        var text = new System.Text.StringBuilder();
        foreach (var instance in (await InstancesAsync(ResourceNames.Api)).Concat(await InstancesAsync(ResourceNames.Worker)))
        {
            var lines = new List<string>();
            await foreach (var batch in logs.GetAllAsync(instance))
            {
                lines.AddRange(batch.Select(line => line.Content));
            }

            text.AppendLine($"--- {instance} ---").AppendJoin('\n', lines.TakeLast(40)).AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The names of a resource's replicas (e.g. worker-x7k2abcd): the notification service replays every current state.</summary>
    private async Task<IReadOnlyCollection<string>> InstancesAsync(string resource)
    {
        var instances = new HashSet<string>();
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var notification in App.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (notification.Resource.Name == resource)
                {
                    instances.Add(notification.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.NotEmpty(instances);
        return instances;
    }

    protected string DataDirectory => _dataDirectory;

    /// <summary>Whether the AppHost runs PostgreSQL as a local process (no container runtime), from this run's data directory.</summary>
    public bool RunsLocalPostgres => FindProcesses(c => c.Contains(Path.Combine(_dataDirectory, "postgres"), StringComparison.Ordinal)
                                                        && c.Contains("/bin/postgres", StringComparison.Ordinal)).Count > 0;

    /// <summary>What a derived fixture sets differently (after <see cref="Settings"/>: the last value of a key wins).</summary>
    protected virtual string[] OwnSettings => [];

    /// <summary>Servers a derived fixture starts before the AppHost; returns the settings that point the AppHost at them.</summary>
    protected virtual Task<string[]> StartInfrastructureAsync() => Task.FromResult(Array.Empty<string>());

    protected virtual ValueTask StopInfrastructureAsync() => ValueTask.CompletedTask;

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (YouTube is not null)
        {
            await YouTube.DisposeAsync();
        }

        if (_app is not null)
        {
            try
            {
                await _app.StopAsync().WaitAsync(StopTimeout);
            }
            finally
            {
                await _app.DisposeAsync().AsTask().WaitAsync(StopTimeout);
            }
        }

        await StopInfrastructureAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public async Task<string> ConnectionStringAsync(string name) =>
        await App.GetConnectionStringAsync(name).AsTask().WaitAsync(StartTimeout)
        ?? throw new InvalidOperationException($"No connection string for {name}.");

    /// <summary>
    /// The Api's own service registration (as its Program makes it) in this test process, on this fixture's Redis and
    /// PostgreSQL unless <paramref name="settings"/> say otherwise: for tests that drive one of its services directly.
    /// </summary>
    public async Task<IHost> BuildApiServicesAsync(IDictionary<string, string?>? settings = null, Action<HostApplicationBuilder>? configure = null)
    {
        var connections = new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = await ConnectionStringAsync(ResourceNames.Cache),
            ["ConnectionStrings:videosdb"] = await ConnectionStringAsync(ResourceNames.Database),
        };
        return ApiServices.Build([connections, settings ?? new Dictionary<string, string?>()], configure);
    }
}
