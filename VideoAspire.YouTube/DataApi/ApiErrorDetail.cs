using System.Text.Json.Serialization;

namespace VideoAspire.YouTube.DataApi;

internal sealed record ApiErrorDetail([property: JsonPropertyName("@type")] string? Type, string? Reason);
