using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace VideoAspire.YouTube;

public static class YouTubeExtensions
{
    /// <summary>
    /// The YouTube sources as typed HttpClients with a resilience pipeline of their own: short attempt and total
    /// timeouts, bounded retries with jittered backoff, and a circuit breaker, all from <see cref="YouTubeOptions"/>.
    /// </summary>
    public static IHostApplicationBuilder AddYouTubeSource(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<YouTubeOptions>()
            .BindConfiguration(YouTubeOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.TotalTimeout > o.AttemptTimeout, "YouTube:TotalTimeout must be longer than YouTube:AttemptTimeout.")
            .Validate(o => o.ServiceReservedUnits <= o.DailyQuotaUnits, "YouTube:ServiceReservedUnits cannot exceed YouTube:DailyQuotaUnits.")
            .ValidateOnStart();

        // Says which service is calling (upstream logs, the test stand-in's per-service counts).
        var userAgent = $"{builder.Environment.ApplicationName}/1.0";

        // The sources, asked in this order until one answers.
        AddSource<YouTubeDataApiClient>(options => options.ApiBaseUrl);
        AddSource<YouTubeFeedClient>(options => options.FeedBaseUrl);

        // Channel pages, for resolving handles and URLs without a key: redirects are looked at, never followed blindly.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ChannelPageClient>((services, http) =>
                Configure(http, services.GetRequiredService<IOptions<YouTubeOptions>>().Value.FeedBaseUrl, userAgent))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler().Configure(ConfigureResilience);
#pragma warning restore EXTEXP0001
        builder.Services.AddTransient<YouTubeChannelResolver>();

        builder.Services.AddTransient<YouTubeVideoSource>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UpstreamFailureFilter>();
        return builder;

        void AddSource<TSource>(Func<YouTubeOptions, string> baseUrl)
            where TSource : class, IChannelSource
        {
            // ServiceDefaults gives every HttpClient the standard pipeline with 10 s/30 s timeouts; YouTube calls sit on
            // the request path of a cold read, so they get their own, tighter one (RemoveAllResilienceHandlers is
            // marked experimental by Microsoft.Extensions.Http.Resilience; it is the documented way to replace it).
#pragma warning disable EXTEXP0001
            builder.Services.AddHttpClient<TSource>((services, http) =>
                    Configure(http, baseUrl(services.GetRequiredService<IOptions<YouTubeOptions>>().Value), userAgent))
                .RemoveAllResilienceHandlers()
                .AddStandardResilienceHandler().Configure(ConfigureResilience);
#pragma warning restore EXTEXP0001
            builder.Services.AddTransient<IChannelSource>(services => services.GetRequiredService<TSource>());
        }

        static void Configure(HttpClient http, string baseUrl, string userAgent)
        {
            http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
            http.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
            http.MaxResponseContentBufferSize = 4 * 1024 * 1024; // a hostile or broken upstream cannot exhaust memory
        }

        static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider services)
        {
            var youTube = services.GetRequiredService<IOptions<YouTubeOptions>>().Value;
            resilience.AttemptTimeout.Timeout = youTube.AttemptTimeout;
            resilience.TotalRequestTimeout.Timeout = youTube.TotalTimeout;
            resilience.Retry.MaxRetryAttempts = 2;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * youTube.AttemptTimeout.TotalSeconds));
            resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            // One breaker per source protects the whole upstream: a few failing channels must not open it for all.
            var filter = services.GetRequiredService<UpstreamFailureFilter>();
            var window = resilience.CircuitBreaker.SamplingDuration;
            resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(filter.CountsAgainstUpstream(args.Outcome, window));
        }
    }

}
