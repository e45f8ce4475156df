using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using VideoAspire.Api.Security;

namespace VideoAspire.Api.OpenApi;

/// <summary>
/// Documents the bearer scheme, which scope each operation needs (from its authorization policy, or a
/// <see cref="DocumentScope"/>), the error responses every protected operation can give.
/// The scope is named in the operation's description: with an <c>http</c> scheme the security requirement's list
/// holds no scopes (OAuth scopes there are only meaningful for <c>oauth2</c> and <c>openIdConnect</c> schemes, and the
/// tokens come from whichever issuer the operator trusts).
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    private const string SchemeName = "Bearer";

    private static readonly Dictionary<string, string> PolicyScopes = new()
    {
        [Scopes.ReadPolicy] = Scopes.VideosRead,
        [Scopes.WritePolicy] = Scopes.VideosWrite,
        [Scopes.MetricsPolicy] = Scopes.MetricsRead,
        [Scopes.SubscribePolicy] = Scopes.VideosSubscribe,
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
                          $"`{Scopes.VideosWrite}` for writes (write implies read), `{Scopes.VideosSubscribe}` for webhook subscriptions. Locally: `dotnet user-jwts create --scope {Scopes.VideosWrite}`.",
        };

        // Operation ids are the endpoint names (WithName); match each documented operation to its endpoint's scope.
        var scopes = context.DescriptionGroups.SelectMany(g => g.Items)
            .Select(d => d.ActionDescriptor.EndpointMetadata)
            .Select(metadata => (
                Name: metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName,
                Scope: metadata.OfType<DocumentScope>().LastOrDefault()?.Scope ?? ScopeOfPolicy(metadata)))
            .Where(e => e.Name is not null && e.Scope is not null)
            .ToDictionary(e => e.Name!, e => e.Scope!);

        var operations = document.Operations();
        foreach (var operation in operations)
        {
            if (operation.OperationId is null || !scopes.TryGetValue(operation.OperationId, out var scope))
            {
                continue;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
            var requirement = $"Requires scope `{scope}`.";
            operation.Description = operation.Description is null ? requirement : $"{operation.Description}\n\n{requirement}";
            operation.Responses ??= new OpenApiResponses();
            AddProblem(operation, "401", "Missing, expired or invalid token (see the WWW-Authenticate header).");
            AddProblem(operation, "403", $"The token lacks scope `{scope}`.");
            AddProblem(operation, "429", "Rate limit exceeded for this caller (see Retry-After).");
            AddProblem(operation, "500", "Unexpected failure.");
        }

        return Task.CompletedTask;
    }

    private static string? ScopeOfPolicy(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null) is { } policy
        && PolicyScopes.TryGetValue(policy, out var scope) ? scope : null;

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
}
