using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;

/// <summary>
/// `--pipeline true`: the framework pieces every VideoAspire read passes through, configured as the Api configures them,
/// in front of a constant answer and nothing of VideoAspire's own: the service defaults' OpenTelemetry (request span,
/// ASP.NET Core and Kestrel metrics, the log pipeline), the exception handler and status-code pages with problem details,
/// JWT bearer authentication and authorization, a token bucket per caller, and the output cache (the framework's own
/// in-memory store) varying by channel_id. A cached read can be no cheaper than this without dropping one of them: it
/// is the ceiling of the "one cached channel" row, measured in the same run.
/// With `--database` and `--redis`, what is behind the output cache is the brief's read path written the simplest way:
/// Redis GET of the channel's answer, on a miss the latest-five query and a Redis SET not waited for, each traced. No
/// single flight, no access marks, no eviction by tag across replicas, no YouTube: the ceiling of the long-tail rows
/// for any implementation of that read path with the required pieces.
/// `--outputcache redis` puts the output cache in Redis with the stock store (no memory level in front), as the brief
/// literally reads; `--without telemetry,errors,auth,ratelimit,outputcache` leaves pieces out, to price each one.
/// </summary>
internal static class PipelineCeiling
{
    public static void Run(WebApplicationBuilder builder, byte[] body)
    {
        var without = (builder.Configuration["without"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool With(string piece) => !without.Contains(piece);

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // as the Api's appsettings.json
        if (With("telemetry"))
        {
            builder.ConfigureOpenTelemetry();
        }

        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization();
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy("per-caller", context =>
            RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = 1_000_000,
                TokensPerPeriod = 1_000_000,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            })));
        builder.Services.AddOutputCache();
        // One connection for everything this process asks Redis, as the Api has.
        var redis = builder.Configuration["redis"] is { } redisConfiguration ? Connect(redisConfiguration) : null;
        if (builder.Configuration["outputcache"] == "redis" && redis is not null)
        {
            // The brief's output cache in Redis with the stock store (no memory level in front of it).
            builder.Services.AddStackExchangeRedisOutputCache(options =>
                options.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis));
        }

        var app = builder.Build();
        if (With("errors"))
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
        }

        if (With("auth"))
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        if (With("ratelimit"))
        {
            app.UseRateLimiter();
        }

        if (With("outputcache"))
        {
            app.UseOutputCache();
        }

        var read = builder.Configuration["database"] is { } database && redis is not null
            ? CacheAside(database, redis.GetDatabase(), keyPrefix: $"ceiling:{builder.Configuration["outputcache"] ?? "memory"}:")
            : _ => Task.FromResult(body);
        app.MapGet("/videos", async (string channel_id) => TypedResults.Bytes(await read(channel_id), "application/json; charset=utf-8"))
            .CacheOutput(policy => policy.SetVaryByQuery("channel_id").AddPolicy<TaggedByChannel>())
            .RequireRateLimiting("per-caller");
        app.Run();
    }

    private static readonly ActivitySource Tracing = new($"{Extensions.TelemetryPrefix}.Ceiling");

    private static Func<string, Task<byte[]>> CacheAside(string database, IDatabase redis, string keyPrefix)
    {
        var dataSource = LatestFive.DataSource(database);
        return async channelId =>
        {
            var key = keyPrefix + channelId; // a key space per ceiling process: none reads what another wrote
            byte[]? answer;
            using (Tracing.StartActivity("cache get", ActivityKind.Client))
            {
                answer = await redis.StringGetAsync(key);
            }

            if (answer is null)
            {
                using (Tracing.StartActivity("latest five query", ActivityKind.Client))
                {
                    answer = await LatestFive.ReadAsync(dataSource, channelId);
                }

                redis.StringSet(key, answer, TimeSpan.FromMinutes(5), flags: CommandFlags.FireAndForget);
            }

            return answer;
        };
    }

    private static ConnectionMultiplexer Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.SocketManager = SocketManager.ThreadPool; // as the Api
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>Each answer tagged with its channel, as the Api's entries are (evicted by tag when its videos change).</summary>
    private sealed class TaggedByChannel : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            context.Tags.Add("channel:" + context.HttpContext.Request.Query["channel_id"]);
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;
    }
}
