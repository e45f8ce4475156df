using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace VideoAspire.YouTube.WebSub;

public static class WebSubExtensions
{
    /// <summary>WebSub's settings, validated at start (push is on only when a callback URL is set).</summary>
    public static IHostApplicationBuilder AddWebSubOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebSubOptions>()
            .BindConfiguration(WebSubOptions.SectionName)
            .PostConfigure(options => options.RequireHttps = !builder.Environment.IsDevelopment())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }
}
