using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Providers.Antigravity;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Providers.Antigravity;

/// <summary>The v1internal envelope Antigravity receives, its headers, and its quota families.</summary>
public sealed class AntigravityProtocolTests
{
    private static readonly UpstreamCredential Login = new("ya29.ag", null) { Details = new AntigravityDetails("ag-proj-1") };

    [Fact]
    public void An_openai_request_becomes_the_ide_envelope_with_the_account_project()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"claude-sonnet-4-5","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""");

        var sent = JsonNode.Parse(Translator.Default.TranslateRequest(body, Dialect.OpenAIChat, Dialect.GeminiCodeAssist, Overrides("claude-sonnet-4-5")))!;

        Assert.Equal("claude-sonnet-4-5", sent["model"]!.GetValue<string>());
        Assert.Equal("ag-proj-1", sent["project"]!.GetValue<string>());
        Assert.Equal("antigravity", sent["userAgent"]!.GetValue<string>());
        Assert.Equal("agent", sent["requestType"]!.GetValue<string>());
        Assert.StartsWith("agent-", sent["requestId"]!.GetValue<string>(), StringComparison.Ordinal);
        var system = sent["request"]!["systemInstruction"]!["parts"]!.AsArray();
        Assert.Equal(AntigravityProtocol.IdentityPrompt, system[0]!["text"]!.GetValue<string>());
        Assert.Contains(system, p => p!["text"]!.GetValue<string>() == "Be brief.");
        Assert.Equal("get_weather", sent["request"]!["tools"]![0]!["functionDeclarations"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void A_code_assist_envelope_from_the_client_gets_the_account_project_and_loses_its_safety_settings()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gemini-3-flash","project":"caller-project","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}}""");

        var sent = JsonNode.Parse(Translator.Default.TranslateRequest(body, Dialect.GeminiCodeAssist, Dialect.GeminiCodeAssist, Overrides("gemini-3-flash")))!;

        Assert.Equal("ag-proj-1", sent["project"]!.GetValue<string>());
        Assert.Null(sent["request"]!["safetySettings"]);
        Assert.Equal("agent", sent["requestType"]!.GetValue<string>());
    }

    [Fact]
    public void Each_request_gets_its_own_request_id()
    {
        var a = AntigravityProtocol.Instance.BodyOverrides(new RequestOverrides(), Login, stream: false).ForceFields.Single(f => f.Name == "requestId");
        var b = AntigravityProtocol.Instance.BodyOverrides(new RequestOverrides(), Login, stream: false).ForceFields.Single(f => f.Name == "requestId");

        Assert.NotEqual(a.Json, b.Json);
    }

    [Fact]
    public void The_token_goes_as_a_bearer_with_the_ide_user_agent_and_streams_ask_for_sse()
    {
        using var request = new HttpRequestMessage();
        request.Headers.UserAgent.ParseAdd("curl/8");
        var query = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>();

        AntigravityProtocol.Instance.SetCredential(request.Headers, null, Login);
        AntigravityProtocol.Instance.SetQuery(query, stream: true);

        Assert.Equal("Bearer ya29.ag", request.Headers.Authorization!.ToString());
        Assert.Equal(AntigravityIdentity.UserAgent, string.Join(' ', request.Headers.GetValues("User-Agent")));
        Assert.Equal("sse", query["alt"].ToString());
        Assert.Equal("/v1internal:streamGenerateContent", AntigravityProtocol.Instance.GeneratePath("gemini-3-flash", stream: true).Value);
        Assert.Equal("/v1internal:generateContent", AntigravityProtocol.Instance.GeneratePath("gemini-3-flash", stream: false).Value);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", "claude-*")]
    [InlineData("claude-opus-4-5-thinking", "claude-*")]
    [InlineData("gemini-3-pro-high", "gemini-*-pro*")]
    [InlineData("gemini-2.5-pro", "gemini-*-pro*")]
    [InlineData("gemini-3-flash", "gemini-*-flash*")]
    [InlineData("gemini-2.5-flash-lite", "gemini-*-flash*")]
    [InlineData("gpt-oss-120b-medium", "gpt-*")]
    [InlineData("solo", "solo")]
    public void Models_share_their_familys_quota(string model, string group)
    {
        Assert.Equal(group, ProviderTypes.Get("antigravity").QuotaGroup(model));
    }

    [Fact]
    public void Other_types_keep_a_quota_per_model()
    {
        Assert.All(ProviderTypes.All.Where(t => t.Type != "antigravity"), t => Assert.Equal("claude-sonnet-4-5", t.QuotaGroup("claude-sonnet-4-5")));
    }

    [Fact]
    public void Only_the_outdated_client_page_is_a_refusal()
    {
        Assert.Contains("no longer supported", AntigravityProtocol.Instance.RefusedClient("This version of Antigravity is no longer supported. Please update to receive the latest features!"), StringComparison.Ordinal);
        Assert.Null(AntigravityProtocol.Instance.RefusedClient("<html>ok</html>"));
    }

    private static RequestOverrides Overrides(string model) =>
        AntigravityProtocol.Instance.BodyOverrides(new RequestOverrides { Model = model }, Login, stream: false);
}
