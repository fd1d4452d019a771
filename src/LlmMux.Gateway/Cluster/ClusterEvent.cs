using System.Text.Json.Serialization;

namespace LlmMux.Gateway.Cluster;

/// <summary>
/// One message on the fleet's channel: what a replica changed, for the others to apply to their local state. Fields
/// beyond <see cref="Kind"/> and <see cref="Origin"/> are used as each kind needs them. Messages are hints that keep
/// the others current between reconciles; the keys in Redis are the record, so a lost message costs only latency.
/// </summary>
internal sealed record ClusterEvent
{
    [JsonPropertyName("k")] public required string Kind { get; init; }

    /// <summary>The sending instance; a replica ignores its own messages.</summary>
    [JsonPropertyName("o")] public string Origin { get; init; } = "";

    [JsonPropertyName("a")] public string? Account { get; init; }

    [JsonPropertyName("m")] public string? Model { get; init; }

    /// <summary>Unix milliseconds.</summary>
    [JsonPropertyName("u")] public long? Until { get; init; }

    [JsonPropertyName("c")] public string? Condition { get; init; }

    [JsonPropertyName("s")] public int? Strikes { get; init; }

    [JsonPropertyName("d")] public string? Detail { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterEvent))]
[JsonSerializable(typeof(ClusterInstance))]
[JsonSerializable(typeof(SharedBlock))]
[JsonSerializable(typeof(LlmMux.Gateway.Dashboard.DashboardSession))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
