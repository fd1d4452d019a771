using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Refresh;

namespace LlmMux.Accounts.Tests.OAuth;

public sealed class OAuthBasicsTests
{
    [Fact]
    public void Pkce_challenge_matches_the_rfc_7636_example()
    {
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", PkceCodes.ChallengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    [Fact]
    public void Pkce_verifier_is_long_random_base64url()
    {
        var a = PkceCodes.Create();
        var b = PkceCodes.Create();
        Assert.NotEqual(a.Verifier, b.Verifier);
        Assert.InRange(a.Verifier.Length, 43, 128);
        Assert.All(a.Verifier, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        Assert.Equal(PkceCodes.ChallengeOf(a.Verifier), a.Challenge);
        Assert.DoesNotContain(a.Verifier, a.ToString(), StringComparison.Ordinal);
        Assert.True(OAuthRandom.State().Length >= 43);
    }

    [Theory]
    [InlineData("claude", "https://claude.ai/oauth/authorize", "https://platform.claude.com/v1/oauth/token", 54545, "/callback")]
    [InlineData("codex", "https://auth.openai.com/oauth/authorize", "https://auth.openai.com/oauth/token", 1455, "/auth/callback")]
    [InlineData("gemini", "https://accounts.google.com/o/oauth2/auth", "https://oauth2.googleapis.com/token", 8085, "/oauth2callback")]
    public void Defaults_have_the_provider_endpoints(string type, string authorize, string token, int port, string path)
    {
        var settings = SubscriptionProviders.Default.DefaultOAuth(type);
        Assert.Equal(authorize, settings.AuthorizeUrl);
        Assert.Equal(token, settings.TokenUrl);
        Assert.Equal(port, settings.CallbackPort);
        Assert.Equal(path, settings.CallbackPath);
        Assert.Equal($"http://localhost:{port}{path}", settings.RedirectUri(port));
    }

    [Fact]
    public void Copilot_defaults_and_overrides()
    {
        var settings = SubscriptionProviders.Default.DefaultOAuth("github-copilot");
        Assert.Equal("Iv1.b507a08c87ecfe98", settings.ClientId);
        Assert.Equal("https://github.com/login/device/code", settings.DeviceCodeUrl);
        Assert.Equal("https://github.com/login/oauth/access_token", settings.TokenUrl);
        Assert.Equal("https://api.github.com/copilot_internal/v2/token", settings.Endpoint("copilot-token-url"));
        Assert.Equal("read:user", settings.Scopes);

        var changed = settings.With([new("token-url", "http://127.0.0.1:1/t"), new("client-id", "other"), new("callback-port", "9")]);
        Assert.Equal("http://127.0.0.1:1/t", changed.TokenUrl);
        Assert.Equal("other", changed.ClientId);
        Assert.Equal(9, changed.CallbackPort);
        Assert.Equal(settings.DeviceCodeUrl, changed.DeviceCodeUrl);
        Assert.Equal(settings.Endpoint("github-user-url"), changed.Endpoint("github-user-url"));
        Assert.Throws<ArgumentException>(() => SubscriptionProviders.Default.DefaultOAuth("openai"));
    }

    [Theory]
    [InlineData("http://localhost:54545/callback?code=abc&state=S1", "abc")]
    [InlineData("  https://console.anthropic.com/oauth/code/callback?code=abc%2Bx&state=S1\n", "abc+x")]
    [InlineData("code=abc&state=S1", "abc")]
    [InlineData("abc#S1", "abc")]
    [InlineData("abc", "abc")]
    public void Pasted_redirects_are_understood(string pasted, string code)
    {
        Assert.Equal(code, AuthorizationCode.FromPasted(pasted, "S1").Code);
    }

    [Theory]
    [InlineData("http://localhost:54545/callback?code=abc&state=OTHER")]
    [InlineData("abc#OTHER")]
    public void Pasted_redirects_of_another_attempt_are_rejected(string pasted)
    {
        Assert.Throws<OAuthException>(() => AuthorizationCode.FromPasted(pasted, "S1"));
    }

    [Fact]
    public void Credentials_and_codes_print_redacted()
    {
        var credential = new UpstreamCredential("secret-token", null) { Details = new CodexDetails("acc") };
        Assert.DoesNotContain("secret-token", credential.ToString(), StringComparison.Ordinal);
        Assert.Contains("acc", credential.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-code", new AuthorizationCode("secret-code", "s").ToString(), StringComparison.Ordinal);
    }
}
