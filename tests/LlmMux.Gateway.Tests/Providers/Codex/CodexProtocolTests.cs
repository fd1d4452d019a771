using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers.Codex;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Providers.Codex;

public sealed class CodexProtocolTests
{
    [Fact]
    public void The_chatgpt_account_id_of_the_login_goes_along()
    {
        using var request = new HttpRequestMessage();

        CodexProtocol.Instance.SetCredential(request.Headers, null, new UpstreamCredential("at", null) { Details = new CodexDetails("acct-42") });

        Assert.Equal("Bearer at", request.Headers.Authorization!.ToString());
        Assert.Equal("acct-42", Assert.Single(request.Headers.GetValues("Chatgpt-Account-Id")));
    }

    [Fact]
    public void A_login_without_an_account_id_sends_none()
    {
        using var request = new HttpRequestMessage();

        CodexProtocol.Instance.SetCredential(request.Headers, null, new UpstreamCredential("at", null));

        Assert.False(request.Headers.Contains("Chatgpt-Account-Id"));
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","input":[],"temperature":0.2,"metadata":{"a":1},"store":true,"stream":false}""", """{"model":"gpt-5","input":[],"store":false,"stream":true,"instructions":"You are a helpful assistant."}""")]
    [InlineData("""{"model":"gpt-5","instructions":"","input":[]}""", """{"model":"gpt-5","instructions":"You are a helpful assistant.","input":[],"store":false,"stream":true}""")]
    [InlineData("""{"model":"gpt-5","instructions":"be brief","input":[]}""", """{"model":"gpt-5","instructions":"be brief","input":[],"store":false,"stream":true}""")]
    public void The_backend_gets_no_rejected_field_store_off_streaming_on_and_instructions(string body, string expected)
    {
        var overrides = CodexProtocol.Instance.BodyOverrides(new RequestOverrides(), login: null, stream: true);

        var upstream = Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.OpenAIResponses, Dialect.OpenAIResponses, overrides);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(upstream)), Encoding.UTF8.GetString(upstream));
    }
}
