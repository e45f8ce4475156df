using System.Text.Json.Serialization;

namespace VideoAspire.Domain;

/// <summary>Source-generated JSON for the answers (no reflection on the hot path).</summary>
[JsonSerializable(typeof(IReadOnlyList<LatestVideo>))]
[JsonSerializable(typeof(Dictionary<string, IReadOnlyList<LatestVideo>>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
public sealed partial class VideoJsonContext : JsonSerializerContext;
