using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace VideoAspire.Api.Security;

public static class SecurityExtensions
{
    /// <summary>
    /// JWT bearer authentication configured the ASP.NET Core way, from <c>Authentication:Schemes:Bearer</c>
    /// (Authority, ValidIssuer, ValidAudiences, SigningKeys: any OAuth 2.0 / OIDC provider, or `dotnet user-jwts`
    /// locally), scope-based policies, and a per-caller rate limit.
    /// </summary>
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.AddBearerTokens();
        builder.Services.AddScopePolicies();
        builder.Services.AddForwardedClients();
        builder.Services.AddPerCallerRateLimit();
        return builder;
    }

    /// <summary>The client behind the configured proxies (<see cref="ForwardedHeadersSettings"/>), and only behind them.</summary>
    private static void AddForwardedClients(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = settings.Value.ForwardLimit;
            if (settings.Value.KnownProxies.Length + settings.Value.KnownNetworks.Length == 0)
            {
                return; // the framework's default: loopback only
            }

            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Value.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.Value.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    /// <summary>JWT bearer tokens; outside Development, a configuration that would accept any tenant's tokens refuses to start.</summary>
    private static void AddBearerTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .PostConfigure(auth => auth.ValidAlgorithms = auth.ValidAlgorithms is { Length: > 0 } configured ? configured : AuthOptions.DefaultAlgorithms);

        // Token validation is only as strict as its configuration: with only an Authority, the framework checks neither
        // issuer nor audience. Outside Development, refuse to start rather than accept any tenant's tokens.
        builder.Services.AddOptions<AuthOptions>().ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<IOptions<AuthOptions>, ValidatedTokenCache>((jwt, auth, tokenCache) =>
            {
                jwt.TokenValidationParameters.ValidAlgorithms = auth.Value.ValidAlgorithms;
                // The keys bound from configuration are a lazy sequence that reads the configuration again each time it
                // is enumerated, and every request's copy of these parameters enumerates it (under the configuration's
                // lock): read them once.
                if (jwt.TokenValidationParameters.IssuerSigningKeys is { } keys)
                {
                    jwt.TokenValidationParameters.IssuerSigningKeys = [.. keys];
                }

                for (var i = 0; i < jwt.TokenHandlers.Count; i++)
                {
                    jwt.TokenHandlers[i] = tokenCache.Wrap(jwt.TokenHandlers[i]);
                }
            });
        if (!builder.Environment.IsDevelopment())
        {
            builder.Services.AddOptions<AuthOptions>()
                .Validate(auth => !auth.AllowAnonymousReads, "Auth:AllowAnonymousReads is for Development only.")
                .Validate(auth => auth.ValidAlgorithms is { Length: > 0 }, "Auth:ValidAlgorithms must name at least one algorithm.")
                .ValidateOnStart();
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Validate(jwt => jwt.TokenValidationParameters is { ValidateIssuer: true } token
                                 && (token.ValidIssuer is { Length: > 0 } || token.ValidIssuers?.Any(i => !string.IsNullOrEmpty(i)) == true),
                    "Authentication:Schemes:Bearer:ValidIssuer(s) must be configured outside Development.")
                .Validate(jwt => jwt.TokenValidationParameters is { ValidateAudience: true } token
                                 && (token.ValidAudience is { Length: > 0 } || token.ValidAudiences?.Any(a => !string.IsNullOrEmpty(a)) == true),
                    "Authentication:Schemes:Bearer:ValidAudiences must be configured outside Development.")
                .ValidateOnStart();
            builder.Services.AddOptions<HostFilteringOptions>()
                .Validate(hosts => hosts.AllowedHosts.Count > 0 && !hosts.AllowedHosts.Contains("*"),
                    "AllowedHosts must list the real host names outside Development (not *).")
                .ValidateOnStart();
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false; // keep "sub", "scope" as issued
                options.Events = new JwtBearerEvents
                {
                    // A token validated before is answered from the cache before the handler starts its work.
                    OnMessageReceived = context => context.HttpContext.RequestServices.GetRequiredService<ValidatedTokenCache>()
                        .AuthenticateFromCacheAsync(context),
                    // RFC 6750 §3.1: say which scope was missing.
                    OnForbidden = context =>
                    {
                        context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
                        return Task.CompletedTask;
                    },
                };
            });
    }

    /// <summary>Reads need videos:read (or write), writes videos:write, subscriptions videos:subscribe, the metrics endpoint metrics:read.</summary>
    private static void AddScopePolicies(this IServiceCollection services) =>
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.ReadPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.VideosRead) || Scopes.Has(c.User, Scopes.VideosWrite)))
            .AddPolicy(Scopes.WritePolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.VideosWrite)))
            .AddPolicy(Scopes.SubscribePolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim("sub") // a subscription belongs to the token's subject
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.VideosSubscribe)))
            .AddPolicy(Scopes.MetricsPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.MetricsRead)));

    /// <summary>A token bucket per caller (token subject, else address); a refusal is a 429 problem with Retry-After.</summary>
    private static void AddPerCallerRateLimit(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CallerBudget>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, CallerBudget>((limiter, settings, budget) =>
        {
            var limits = settings.Value;
            limiter.AddPolicy(RateLimitingOptions.PolicyName, context =>
                RateLimitPartition.Get((Caller: Caller.Of(context), Cost: CallerBudget.CostOf(context)), key => budget.For(key.Caller, key.Cost)));
            // The WebSub callback's own budget per client address: the hub's traffic (and a flood of forged
            // notifications) never spends the budget of the API's callers, nor theirs its.
            limiter.AddPolicy(RateLimitingOptions.WebSubPolicyName, context =>
                RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.WebSubTokenLimit,
                    TokensPerPeriod = limits.WebSubTokensPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : 1;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"Rate limit exceeded for this caller. Retry after {retryAfter} s.",
                    },
                });
            };
        });
    }
}
