using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Providers.Claude;
using LlmMux.Translation;

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
        var overrides = ClaudeOAuthProtocol.Instance.BodyOverrides(new RequestOverrides(), login: null, stream: false);
        var adjusted = Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.Anthropic, Dialect.Anthropic, overrides);

        var system = JsonNode.Parse(adjusted)!["system"]!.AsArray();
        Assert.Equal(ClaudeOAuthProtocol.Identity, system[0]!["text"]!.GetValue<string>());
    }
}
