using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false; // keep "sub", "scope" as issued
                options.Events = new JwtBearerEvents
                {
                    // RFC 6750 §3.1: say which scope was missing.
                    OnForbidden = context =>
                    {
                        context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
                        return Task.CompletedTask;
                    },
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.ReadPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.VideosRead) || Scopes.Has(c.User, Scopes.VideosWrite)))
            .AddPolicy(Scopes.WritePolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.VideosWrite)))
            .AddPolicy(Scopes.MetricsPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Has(c.User, Scopes.MetricsRead)));

        builder.Services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.AddPolicy(RateLimitingOptions.PolicyName, context =>
            {
                var caller = context.User.FindFirst("sub")?.Value is { } subject
                    ? new Caller(subject, null)
                    : new Caller(null, context.Connection.RemoteIpAddress);
                return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.TokenLimit,
                    TokensPerPeriod = limits.TokensPerPeriod,
                    ReplenishmentPeriod = limits.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
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

        return builder;
    }

    /// <summary>Whom a rate limit counts: the token's subject, else the client address (a key built without strings).</summary>
    private readonly record struct Caller(string? Subject, System.Net.IPAddress? Address);
}
