using System.Reflection;

namespace VideoAspire.Api.OpenApi;

/// <summary>
/// The OpenAPI document is also written at build time (Microsoft.Extensions.ApiDescription.Server): its tool,
/// GetDocument.Insider, starts the host (with no server) to read the endpoints, where no configuration is given.
/// </summary>
internal static class BuildTimeDocument
{
    public static bool IsBeingGenerated { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// A production-shaped configuration that names no real server or issuer, so the host starts as it would in
    /// production; nothing connects (no request is served, and the tool stops the host once it has the document).
    /// </summary>
    public static void UsePlaceholderSettings(IConfigurationManager configuration) =>
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = "127.0.0.1:1,abortConnect=false,connectTimeout=1",
            ["ConnectionStrings:videosdb"] = "Host=127.0.0.1;Port=1",
            ["Authentication:Schemes:Bearer:ValidIssuer"] = "https://issuer.invalid",
            ["Authentication:Schemes:Bearer:ValidAudiences:0"] = "videoaspire",
        });
}
