using System.Text.Json.Serialization;

namespace LlmMux.Gateway.Management;

/// <summary>Source-generated JSON for the management views (no reflection under Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<AccountView>))]
[JsonSerializable(typeof(List<QuotaView>))]
[JsonSerializable(typeof(IReadOnlyList<UsageRow>))]
[JsonSerializable(typeof(IReadOnlyList<RequestRecord>))]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(ConfigView))]
[JsonSerializable(typeof(LlmMux.Gateway.Cluster.ClusterView))]
[JsonSerializable(typeof(ValidationView))]
[JsonSerializable(typeof(ErrorView))]
[JsonSerializable(typeof(ActivityView))]
internal sealed partial class ManagementJsonContext : JsonSerializerContext;
