using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers.Copilot;

/// <summary>Copilot: the GitHub device flow.</summary>
public sealed class CopilotLoginTests : LoginHarness
{
    [Fact]
    public async Task Copilot_device_flow_polls_through_pending_and_slow_down()
    {
        Fake.OnJson("/login/device/code", _ => (200, """{"device_code":"dev-123","user_code":"WDJB-MJHT","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"""));
        var polls = 0;
        Fake.OnJson("/login/oauth/access_token", _ => Interlocked.Increment(ref polls) switch
        {
            1 or 2 => (200, """{"error":"authorization_pending","error_description":"pending"}"""),
            3 => (200, """{"error":"slow_down","error_description":"too fast"}"""),
            _ => (200, """{"access_token":"gho_device_token","token_type":"bearer","scope":"read:user"}"""),
        });
        Fake.OnJson("/user", _ => (200, """{"login":"octo","id":1}"""));
        var output = new StringWriter();
        var opened = new List<string>();

        var account = await AccountLogin.LoginAsync(
            "copilot",
            Settings("copilot"),
            new LoginOptions { Output = output, OpenBrowser = u => { opened.Add(u); return true; }, TimeProvider = Time },
            Store,
            Http,
            Timeout());

        Assert.Contains("WDJB-MJHT", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("https://github.com/login/device", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["https://github.com/login/device"], opened);
        var deviceForm = Fake.Requests.First(r => r.Path == "/login/device/code").Form();
        Assert.Equal("copilot-client", deviceForm["client_id"]);
        Assert.Equal("read:user", deviceForm["scope"]);
        var pollForm = Fake.Requests.First(r => r.Path == "/login/oauth/access_token").Form();
        Assert.Equal("dev-123", pollForm["device_code"]);
        Assert.Equal("urn:ietf:params:oauth:grant-type:device_code", pollForm["grant_type"]);
        Assert.Equal(4, polls);
        Assert.Equal([5, 5, 5, 10], Time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal("token gho_device_token", Fake.Requests.First(r => r.Path == "/user").Headers["Authorization"]);

        Assert.Equal("github-copilot-octo", account.Id);
        Assert.Equal("copilot", account.Type);
        var file = JsonNode.Parse(Dir.Read("github-copilot-octo.json"))!.AsObject();
        Assert.Equal("github-copilot", file["type"]!.GetValue<string>());
        Assert.Equal("octo", file["username"]!.GetValue<string>());
        Assert.Equal("gho_device_token", file["access_token"]!.GetValue<string>());
        Assert.DoesNotContain("gho_device_token", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copilot_device_flow_stops_when_the_code_expires()
    {
        Fake.OnJson("/login/device/code", _ => (200, """{"device_code":"d","user_code":"U","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"""));
        Fake.OnJson("/login/oauth/access_token", _ => (200, """{"error":"expired_token"}"""));

        var error = await Assert.ThrowsAsync<OAuthException>(() => AccountLogin.LoginAsync(
            "copilot", Settings("copilot"), new LoginOptions { NoBrowser = true, TimeProvider = Time }, Store, Http, Timeout()));

        Assert.Equal("expired_token", error.Error);
        Assert.Empty(Store.Accounts);
    }
}
