using System.Net.Http.Headers;
using LlmMux.Accounts.Providers.Copilot;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers.Copilot;

namespace LlmMux.Gateway.Tests.Providers.Copilot;

public sealed class CopilotProtocolTests
{
    [Fact]
    public void The_copilot_token_goes_as_a_bearer_with_the_editor_identity_the_login_also_sends()
    {
        using var request = new HttpRequestMessage();
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("client", "1"));

        CopilotProtocol.Instance.SetCredential(request.Headers, null, new UpstreamCredential("tid=1", null));

        Assert.Equal("Bearer tid=1", request.Headers.Authorization!.ToString());
        Assert.Equal(CopilotIdentity.UserAgent, Assert.Single(request.Headers.GetValues("User-Agent")));
        Assert.Equal(CopilotIdentity.EditorVersion, Assert.Single(request.Headers.GetValues("Editor-Version")));
        Assert.Equal(CopilotIdentity.EditorPluginVersion, Assert.Single(request.Headers.GetValues("Editor-Plugin-Version")));
        Assert.Equal("vscode-chat", Assert.Single(request.Headers.GetValues("Copilot-Integration-Id")));
    }
}
