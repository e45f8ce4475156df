using System.Text.Json.Serialization;

namespace VideoAspire.Worker.Webhooks;

[JsonSerializable(typeof(WebhookMessage.EventBody))]
[JsonSerializable(typeof(WebhookMessage.VerificationBody))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
