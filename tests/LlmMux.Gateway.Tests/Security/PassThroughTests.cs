using System.Net;
using System.Text;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Providers;
using LlmMux.Gateway.Providers.Codex;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Tests.Security;

/// <summary>
/// <c>credentials: pass-through</c>: the config it takes, the one account it makes, and where the llm-mux key is read
/// when Authorization carries the client's own upstream login.
/// </summary>
public sealed class PassThroughTests
{
    private const string Oat = "sk-ant-oat01-client-own-login";

    private static GatewaySnapshot Snapshot(string yaml) => new(ConfigLoader.Parse(yaml, "t.yaml"), 1);

    private static DefaultHttpContext Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.9");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    private static string Jwt(string payload)
        => "eyJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".c2ln";

    [Theory]
    [InlineData("claude")]
    [InlineData("codex")]
    public void A_claude_or_codex_provider_in_pass_through_has_one_account_and_no_logins(string type)
    {
        var snapshot = Snapshot($"providers:\n  - name: mine\n    type: {type}\n    credentials: pass-through\n");
        var account = Assert.Single(snapshot.Providers[0].Accounts);
        Assert.True(account.PassThrough);
        Assert.Equal("mine/pass-through", account.DestinationId);
        Assert.Null(account.LoginAccountId);
        Assert.Null(account.ApiKey);
        Assert.DoesNotContain(Assert.Single(Snapshot($"providers:\n  - name: mine\n    type: {type}\n").Providers).Accounts, a => a.PassThrough);
    }

    [Fact]
    public void Pass_through_is_refused_on_other_types_and_unknown_modes_are_named()
    {
        var other = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("providers:\n  - name: o\n    type: openai\n    api-keys: [k]\n    credentials: pass-through\n", "t.yaml"));
        Assert.Contains("credentials", other.Message, StringComparison.Ordinal);
        Assert.Contains("type 'openai' cannot pass the client's credential through (only claude, codex can)", other.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("providers:\n  - name: c\n    type: claude\n    credentials: borrowed\n", "t.yaml"));
        Assert.Contains("unknown credentials mode 'borrowed' (expected pooled or pass-through)", unknown.Message, StringComparison.Ordinal);
        Assert.NotNull(ConfigLoader.Parse("providers:\n  - name: c\n    type: claude\n    credentials: pooled\n", "t.yaml"));
    }

    [Fact]
    public void An_upstream_login_in_authorization_is_not_the_client_key_which_comes_from_another_header()
    {
        var keyed = Snapshot("api-keys: [mux-key]\n");

        // Claude Code: its OAuth login as Authorization, the llm-mux key in x-llm-mux-key (ANTHROPIC_CUSTOM_HEADERS) or x-api-key.
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer " + Oat), ("x-llm-mux-key", "mux-key")), keyed));
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer " + Oat), ("x-api-key", "mux-key")), keyed));
        // Codex: its ChatGPT JWT as Authorization.
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer " + Jwt("{}")), ("x-llm-mux-key", "mux-key")), keyed));

        // The login alone is no llm-mux key: the client is told where the key goes.
        var missing = ClientKeyHandler.Check(Request(("Authorization", "Bearer " + Oat)), keyed);
        Assert.Equal(401, missing!.Status);
        Assert.Contains("x-llm-mux-key", missing.Message, StringComparison.Ordinal);
        Assert.Equal(401, ClientKeyHandler.Check(Request(("Authorization", "Bearer " + Oat), ("x-llm-mux-key", "wrong")), keyed)!.Status);

        // Everything else as before: the key as the bearer, x-llm-mux-key winning over a bearer that is not a login.
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer mux-key")), keyed));
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer other"), ("x-llm-mux-key", "mux-key")), keyed));
        Assert.Equal(401, ClientKeyHandler.Check(Request(("Authorization", "Bearer other"), ("x-api-key", "mux-key")), keyed)!.Status);

        // A deployment whose own keys happen to be JWTs: with no other key header the bearer is still tried.
        var jwtKey = Jwt("""{"sub":"team"}""");
        Assert.Null(ClientKeyHandler.Check(Request(("Authorization", "Bearer " + jwtKey)), Snapshot($"api-keys: [\"{jwtKey}\"]\n")));
    }

    [Fact]
    public void A_codex_client_credential_takes_its_account_from_the_header_else_from_the_token_claim()
    {
        var token = Jwt("""{"https://api.openai.com/auth":{"chatgpt_account_id":"acct-from-claim"}}""");
        Assert.True(CodexProviderType.Instance.IsClientCredential(token));
        Assert.False(CodexProviderType.Instance.IsClientCredential("sk-proj-abc"));

        var fromClaim = CodexProviderType.Instance.ClientCredential(token, new HeaderDictionary());
        Assert.Equal(token, fromClaim.AccessToken);
        Assert.Equal("acct-from-claim", Assert.IsType<CodexDetails>(fromClaim.Details).ChatGptAccountId);

        var sent = CodexProviderType.Instance.ClientCredential(token, new HeaderDictionary { ["chatgpt-account-id"] = "acct-sent" });
        Assert.Equal("acct-sent", Assert.IsType<CodexDetails>(sent.Details).ChatGptAccountId);
        Assert.Null(CodexProviderType.Instance.ClientCredential(Jwt("{}"), new HeaderDictionary()).Details);
        Assert.DoesNotContain(token, sent.ToString(), StringComparison.Ordinal);
    }
}
