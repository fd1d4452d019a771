using System.Text.Json.Serialization;

namespace LlmMux.Gateway.Connect;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ClientSetup))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class ConnectJsonContext : JsonSerializerContext;
