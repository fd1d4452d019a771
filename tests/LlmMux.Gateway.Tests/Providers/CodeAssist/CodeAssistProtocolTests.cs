using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers.CodeAssist;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Providers.CodeAssist;

public sealed class CodeAssistProtocolTests
{
    [Fact]
    public void The_envelope_gets_the_project_of_the_account_whatever_the_caller_sent()
    {
        var login = new UpstreamCredential("ya29", null) { Details = new GeminiDetails("proj-7") };
        var body = Encoding.UTF8.GetBytes("""{"project":"caller-project","model":"gemini-2.5-pro","request":{}}""");

        var adjusted = Upstream(body, login);

        Assert.Equal("proj-7", JsonNode.Parse(adjusted)!["project"]!.GetValue<string>());
    }

    [Fact]
    public void Without_a_project_the_body_is_left_alone()
    {
        var body = Encoding.UTF8.GetBytes("""{"project":"caller-project"}""");
        var login = new UpstreamCredential("ya29", null);

        Assert.True(CodeAssistProtocol.Instance.BodyOverrides(new RequestOverrides(), login, stream: false).OnlyModel);
        Assert.Equal(body, Upstream(body, login));
    }

    [Fact]
    public void The_token_goes_with_the_identity_the_login_also_sends()
    {
        using var request = new HttpRequestMessage();

        CodeAssistProtocol.Instance.SetCredential(request.Headers, null, new UpstreamCredential("ya29", null));

        Assert.Equal("Bearer ya29", request.Headers.Authorization!.ToString());
        Assert.All(CodeAssistIdentity.Headers, h => Assert.Equal(h.Value, Assert.Single(request.Headers.GetValues(h.Key))));
    }

    /// <summary>The body the upstream receives: the client's, with the protocol's overrides, in the translator's one pass.</summary>
    private static byte[] Upstream(byte[] body, UpstreamCredential login) =>
        Translator.Default.TranslateRequest(body, Dialect.GeminiCodeAssist, Dialect.GeminiCodeAssist,
            CodeAssistProtocol.Instance.BodyOverrides(new RequestOverrides(), login, stream: false));
}
