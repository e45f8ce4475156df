using System.Text.Json.Serialization;

namespace VideoAspire.Api.Streaming;

[JsonSerializable(typeof(StreamEvent))]
internal sealed partial class StreamJsonContext : JsonSerializerContext;
