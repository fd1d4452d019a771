namespace LlmMux.Gateway.Management;

/// <summary>What one replica is serving at this moment.</summary>
/// <param name="Instance">The replica's instance id, as <c>GET /cluster</c> lists it.</param>
/// <param name="ActiveStreams">Streaming responses being sent now.</param>
/// <param name="RequestsInFlight">LLM requests being served now, streams included.</param>
internal sealed record InstanceActivity(string Instance, long ActiveStreams, long RequestsInFlight)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIdle => ActiveStreams == 0 && RequestsInFlight == 0;
}
