using Microsoft.OpenApi;

namespace VideoAspire.Api.OpenApi;

internal static class OpenApiDocumentExtensions
{
    /// <summary>Every operation of every path (the document's models allow nulls at each level).</summary>
    public static IEnumerable<OpenApiOperation> Operations(this OpenApiDocument document) =>
        document.Paths?.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? []) ?? [];
}
