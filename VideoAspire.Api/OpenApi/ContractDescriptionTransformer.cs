using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using VideoAspire.Api.Apis;
using VideoAspire.Api.Resolution;

namespace VideoAspire.Api.OpenApi;

/// <summary>
/// What the endpoint metadata cannot say: the introduction /docs opens on, contact and licence, the servers, the tags,
/// the channel id's shape on every parameter that carries one, and example bodies that pass validation.
/// </summary>
internal sealed class ContractDescriptionTransformer : IOpenApiDocumentTransformer
{
    private const string ExampleChannelId = "UC0032Wkd3aCT4rRi1YOVc2d";

    /// <summary>A demo channel's handle (the demo data resolves it without YouTube).</summary>
    private const string ExampleHandle = "@kitchennotes";

    private static readonly string Introduction = ReadIntroduction();

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "VideoAspire API",
            Version = "v1",
            Summary = "The latest five videos of a YouTube channel, fast and reliably.",
            Description = Introduction,
            Contact = new OpenApiContact { Name = "VideoAspire maintainers" },
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };

        // Fixed rather than taken from the request, so the document is the same wherever it is served (and at build time);
        // the host is a variable, its default the local one.
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "{scheme}://{host}",
                Description = "Where VideoAspire runs (by default: make run, aspire run)",
                Variables = new Dictionary<string, OpenApiServerVariable>
                {
                    ["scheme"] = new() { Default = "http", Enum = ["http", "https"] },
                    ["host"] = new() { Default = "localhost:5080", Description = "Host and port of the Api" },
                },
            },
        ];

        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Videos", Description = "Reads: the latest five videos of one channel or of up to 50." },
            new() { Name = "Channels", Description = "Writes (scope `videos:write`): how another process keeps the catalogue current." },
            new() { Name = "Subscriptions", Description = "Webhooks (scope `videos:subscribe`): signed Standard Webhooks messages for a channel's new, updated and deleted videos." },
        };

        foreach (var operation in document.Operations())
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                DescribeParameter(parameter);
            }
        }

        DescribeSchemas(document);
        DescribeReadAnswers(document);
        return Task.CompletedTask;
    }

    private static void DescribeParameter(OpenApiParameter parameter)
    {
        switch (parameter.Name)
        {
            case "channel_id":
                parameter.Required = false;
                parameter.Description = "A YouTube channel id (`UC` and 22 letters, digits, `-` or `_`). Repeat it, or mix it with " +
                                        $"`handle` and `channel`, for up to {VideosApi.MaxBatchSize} channels in one read; at least one of the three.";
                parameter.Style = ParameterStyle.Form;
                parameter.Explode = true;
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = VideosApi.MaxBatchSize,
                    Items = ChannelIdSchema(),
                };
                parameter.Example = new JsonArray(ExampleChannelId);
                break;
            case "handle":
                parameter.Description = "A channel's handle, `@name` (the `@` optional; 3 to 30 letters, digits, `_`, `-` or `.`, " +
                                        "compared without case). Its answer's key is the handle lower-cased with its `@`; the " +
                                        $"`{ResolvedChannels.HeaderName}` header says which channel id it resolved to.";
                parameter.Style = ParameterStyle.Form;
                parameter.Explode = true;
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = VideosApi.MaxBatchSize,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ChannelReference.MaxInputLength },
                };
                parameter.Example = new JsonArray(ExampleHandle);
                break;
            case "channel":
                parameter.Description = "Anything a person would paste: " + ChannelReference.AcceptedForms + ". Its answer's key " +
                                        "is the normalised form (`@name`, `UC…`, `youtube.com/user/name`, `youtube.com/c/name`). " +
                                        "The URL is never fetched: only its path is read.";
                parameter.Style = ParameterStyle.Form;
                parameter.Explode = true;
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = VideosApi.MaxBatchSize,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ChannelReference.MaxInputLength },
                };
                break;
            case "channelId":
                parameter.Description = "A YouTube channel id (`UC` and 22 letters, digits, `-` or `_`).";
                parameter.Schema = ChannelIdSchema();
                parameter.Example = "UC_x5XG1OV2P6uZZ5FSM9Ttw";
                break;
            case "kind":
                parameter.Description = "Which uploads: `videos` (long-form only), `shorts`, `live` (live streams), or `all` " +
                                        "(the default: every upload). Each kind is read from YouTube's own playlist of that " +
                                        "kind; a channel with none of a kind answers `[]`. Any other value is a 400.";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. VideoKinds.Names.Select(name => JsonValue.Create(name)!)],
                    Default = JsonValue.Create(VideoKind.All.Name()),
                };
                parameter.Example = JsonValue.Create(VideoKind.Shorts.Name());
                break;
            case "wait":
                parameter.Description = "For a channel never seen before: wait for YouTube's answer (200 or 404) rather than " +
                                        "receive 202 while it is fetched. Default `false`.";
                break;
        }
    }

    private static OpenApiSchema ChannelIdSchema() => new()
    {
        Type = JsonSchemaType.String,
        Pattern = ChannelId.Pattern,
        MinLength = ChannelId.Length,
        MaxLength = ChannelId.Length,
    };

    private const string VideoUpsertExample =
        """{ "video_id": "dQw4w9WgXcQ", "video_title": "A new upload", "published_at": "2026-11-27T09:30:00Z" }""";

    private static readonly Dictionary<string, string> SchemaExamples = new()
    {
        ["LatestVideo"] = """
            { "video_id": "NQq1gWnbdgc", "video_title": "I tried every viral curry hack",
              "upload_date": "2026-10-07", "published_at": "2026-10-07T12:00:00Z" }
            """,
        ["VideoUpsert"] = VideoUpsertExample,
    };

    /// <summary>Request bodies that pass validation, by operation id (the contract tests send them).</summary>
    private static readonly Dictionary<string, string> RequestExamples = new()
    {
        ["RegisterChannel"] = """{ "title": "Google for Developers" }""",
        ["UpsertVideos"] = $$"""{ "videos": [ {{VideoUpsertExample}} ] }""",
    };

    private static void DescribeSchemas(OpenApiDocument document)
    {
        foreach (var (name, json) in SchemaExamples)
        {
            if (document.Components?.Schemas?.TryGetValue(name, out var schema) == true && schema is OpenApiSchema concrete)
            {
                concrete.Examples = [JsonNode.Parse(json)!];
            }
        }

        foreach (var operation in document.Operations())
        {
            if (operation.OperationId is { } id && RequestExamples.TryGetValue(id, out var json)
                && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse(json);
            }
        }
    }

    private static readonly OpenApiHeader Resolved = new()
    {
        Description = "For each handle or URL of the read: `key=UC…` (the answer's key, percent-encoded outside ASCII " +
                      "letters, digits and `@._-/`, and the channel id it resolved to), comma-separated. Absent for ids only.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    /// <summary>
    /// A read's 200 maps each id to its videos; in a batch an id that failed maps to a problem object instead.
    /// </summary>
    private static void DescribeReadAnswers(OpenApiDocument document)
    {
        var reads = document.Paths?.Where(p => p.Key.StartsWith("/video", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Operations?.Values.AsEnumerable() ?? []) ?? [];
        foreach (var operation in reads)
        {
            if (operation.Responses?.TryGetValue("200", out var ok) != true || ok?.Content?.TryGetValue("application/json", out var media) != true)
            {
                continue;
            }

            if (ok is OpenApiResponse response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[ResolvedChannels.HeaderName] = Resolved;
            }

            media!.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Channel id (or normalised handle or URL) → its latest videos, newest first (at most five); in a batch, a problem object for one that failed.",
                AdditionalProperties = new OpenApiSchema
                {
                    OneOf =
                    [
                        new OpenApiSchema { Type = JsonSchemaType.Array, MaxItems = 5, Items = new OpenApiSchemaReference("LatestVideo", document) },
                        new OpenApiSchemaReference("ProblemDetails", document),
                    ],
                },
            };
            media.Example = JsonNode.Parse("""
                { "UC0032Wkd3aCT4rRi1YOVc2d": [
                    { "video_id": "NQq1gWnbdgc", "video_title": "I tried every viral curry hack",
                      "upload_date": "2026-10-07", "published_at": "2026-10-07T12:00:00Z" } ] }
                """);
        }
    }

    private static string ReadIntroduction()
    {
        using var stream = typeof(ContractDescriptionTransformer).Assembly.GetManifestResourceStream("VideoAspire.Api.OpenApi.Introduction.md")
            ?? throw new InvalidOperationException("The OpenAPI introduction is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}
