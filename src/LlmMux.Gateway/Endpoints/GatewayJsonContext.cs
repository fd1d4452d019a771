using System.Text.Json.Serialization;

namespace LlmMux.Gateway.Endpoints;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReadyStatus))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
