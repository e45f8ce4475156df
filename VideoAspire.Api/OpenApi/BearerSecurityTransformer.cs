using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using VideoAspire.Api.Security;

namespace VideoAspire.Api.OpenApi;

/// <summary>
/// Documents the bearer scheme, which scope each operation needs (from its authorization policy), the error
/// responses every protected operation can give, and an example answer.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    private const string SchemeName = "Bearer";

    private static readonly Dictionary<string, string> PolicyScopes = new()
    {
        [Scopes.ReadPolicy] = Scopes.VideosRead,
        [Scopes.WritePolicy] = Scopes.VideosWrite,
        [Scopes.MetricsPolicy] = Scopes.MetricsRead,
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = $"An OAuth 2.0 access token (JWT) with scope `{Scopes.VideosRead}` for reads or " +
                          $"`{Scopes.VideosWrite}` for writes (write implies read). Locally: `dotnet user-jwts create --scope {Scopes.VideosWrite}`.",
        };

        // Operation ids are the endpoint names (WithName); match each documented operation to its endpoint's policy.
        var policies = context.DescriptionGroups.SelectMany(g => g.Items)
            .Select(d => d.ActionDescriptor.EndpointMetadata)
            .Select(metadata => (
                Name: metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName,
                Policy: metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null)))
            .Where(e => e.Name is not null && e.Policy is not null)
            .ToDictionary(e => e.Name!, e => e.Policy!);

        var operations = document.Paths?.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []) ?? [];
        foreach (var operation in operations)
        {
            if (operation.OperationId is null || !policies.TryGetValue(operation.OperationId, out var policy)
                || !PolicyScopes.TryGetValue(policy, out var scope))
            {
                continue;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [scope] });
            operation.Responses ??= new OpenApiResponses();
            AddProblem(operation, "401", "Missing, expired or invalid token (see the WWW-Authenticate header).");
            AddProblem(operation, "403", $"The token lacks scope `{scope}`.");
            AddProblem(operation, "429", "Rate limit exceeded for this caller (see Retry-After).");
            AddProblem(operation, "500", "Unexpected failure.");
        }

        AddVideosExample(document);
        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails") },
            },
        });
    }

    private static void AddVideosExample(OpenApiDocument document)
    {
        foreach (var item in document.Paths?.Where(p => p.Key.StartsWith("/video", StringComparison.Ordinal)).Select(p => p.Value) ?? [])
        {
            if (item.Operations?.FirstOrDefault().Value?.Responses?.TryGetValue("200", out var ok) == true
                && ok.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse("""
                    { "UC0032Wkd3aCT4rRi1YOVc2d": [
                        { "video_id": "NQq1gWnbdgc", "video_title": "I tried every viral curry hack",
                          "upload_date": "2026-10-07", "published_at": "2026-10-07T12:00:00Z" } ] }
                    """);
            }
        }
    }
}
