using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers.Codex;

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
}
