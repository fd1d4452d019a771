using System.Text.Json.Serialization;

namespace LlmMux.Gateway.Quota;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QuotaFile))]
internal sealed partial class QuotaJsonContext : JsonSerializerContext;
