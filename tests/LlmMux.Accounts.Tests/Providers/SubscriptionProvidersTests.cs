using LlmMux.Accounts.Login;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Providers;

/// <summary>The registry: every provider is complete, each name resolves to one provider, and an unknown type fails loudly.</summary>
public sealed class SubscriptionProvidersTests
{
    private static readonly SubscriptionProviders Registry = SubscriptionProviders.Default;

    [Fact]
    public void The_subscriptions_are_listed_once_in_login_order()
    {
        Assert.Equal(["claude", "codex", "gemini", "copilot", "antigravity", "vertex"], Registry.Types);
    }

    [Fact]
    public void Every_provider_is_complete()
    {
        foreach (var provider in Registry.Providers)
        {
            Assert.False(string.IsNullOrWhiteSpace(provider.Type));
            Assert.Equal(provider.Type, provider.Type.ToLowerInvariant());
            Assert.False(string.IsNullOrWhiteSpace(provider.FileType));
            Assert.False(string.IsNullOrWhiteSpace(provider.DisplayName));
            var oauth = provider.DefaultOAuth;
            Assert.StartsWith("https://", oauth.TokenUrl, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(oauth.Scopes));
            Assert.All(oauth.Endpoints.Values, url => Assert.StartsWith("https://", url, StringComparison.Ordinal));

            // Every provider renews its tokens one of the two ways the credential service knows.
            Assert.True(provider is RefreshTokenProvider or TokenExchangeProvider, provider.Type);

            // A browser login needs an authorize URL and a client, a device flow its device-code URL and a client; a
            // service-account key (vertex) signs its own grant and has neither.
            if (provider is not Accounts.Providers.Vertex.VertexProvider)
            {
                Assert.False(string.IsNullOrWhiteSpace(oauth.ClientId));
                Assert.True(oauth.DeviceCodeUrl is not null || oauth.AuthorizeUrl.StartsWith("https://", StringComparison.Ordinal), provider.Type);
            }
        }
    }

    [Theory]
    [InlineData("claude", "claude")]
    [InlineData("CODEX", "codex")]
    [InlineData("gemini-cli", "gemini")]
    [InlineData(" gemini ", "gemini")]
    [InlineData("github-copilot", "copilot")]
    [InlineData("copilot", "copilot")]
    [InlineData("antigravity", "antigravity")]
    [InlineData("ag", "antigravity")]
    public void Types_file_types_and_aliases_resolve_to_their_provider(string name, string type)
    {
        Assert.Equal(type, Registry.Find(name)?.Type);
        Assert.Equal(type, Registry.Get(name).Type);
    }

    [Theory]
    [InlineData("qwen")]
    [InlineData("openai")]
    [InlineData("gemini-api")]
    [InlineData("")]
    public void An_unknown_type_finds_nothing_and_fails_loudly(string type)
    {
        Assert.Null(Registry.Find(type));
        var error = Assert.Throws<ArgumentException>(() => Registry.Get(type));
        Assert.Contains("claude, codex, gemini, copilot, antigravity", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Registry.DefaultOAuth(type));
    }

    [Fact]
    public async Task A_file_of_an_unknown_type_is_skipped_and_a_login_of_one_refused()
    {
        using var dir = new TempDir();
        dir.Write("qwen-a.json", """{"type":"qwen","email":"a@example.com","access_token":"t"}""");
        using var store = new AccountStore(dir.Auth);
        store.Load();

        Assert.Empty(store.Accounts);
        Assert.Equal("unsupported account type", Assert.Single(store.SkippedFiles).Reason);
        using var http = new HttpClient();
        await Assert.ThrowsAsync<ArgumentException>(() =>
            AccountLogin.LoginAsync("qwen", Registry.DefaultOAuth("claude"), new LoginOptions(), store, http, default));
    }
}
