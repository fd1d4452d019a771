using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Providers.Claude;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>Client bodies the provider adjustments cannot read are the request's problem, never an unhandled 500.</summary>
public sealed class RequestBuildingFaultTests
{
    [Theory]
    [InlineData("""{"model":"m","system":[{"type":"text","text":5}],"messages":[]}""")]
    [InlineData("""{"model":"m","system":[{"type":"text","text":{"nested":true}}],"messages":[]}""")]
    [InlineData("""{"model":"m","system":[7],"messages":[]}""")]
    public void Claude_code_identity_is_added_whatever_shape_the_client_system_has(string body)
    {
        var adjusted = ClaudeOAuthProtocol.Instance.AdjustBody(Encoding.UTF8.GetBytes(body), login: null, stream: false);

        var system = JsonNode.Parse(adjusted.Span)!["system"]!.AsArray();
        Assert.Equal(ClaudeOAuthProtocol.Identity, system[0]!["text"]!.GetValue<string>());
    }
}
