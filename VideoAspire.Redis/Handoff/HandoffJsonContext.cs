namespace VideoAspire.Redis.Handoff;

[System.Text.Json.Serialization.JsonSerializable(typeof(ChannelSnapshot))]
internal sealed partial class HandoffJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
