using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Refresh;
using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Tests.Providers;

/// <summary>The registry of config types: each is complete, bridges to its subscription, and an unknown type fails loudly.</summary>
public sealed class ProviderTypesTests
{
    [Fact]
    public void The_config_types_are_listed_once()
    {
        Assert.Equal(["openai", "anthropic", "gemini-api", "claude", "copilot", "gemini", "codex", "antigravity", "vertex"], ProviderTypes.All.Select(t => t.Type));
    }

    [Fact]
    public void Every_type_is_complete()
    {
        foreach (var type in ProviderTypes.All)
        {
            Assert.StartsWith("https://", type.DefaultBaseUrl, StringComparison.Ordinal);
            Assert.NotNull(type.Protocol);
            Assert.Same(type.Protocol, type.Protocol);
            Assert.NotEmpty(type.Catalogue.Known);
            Assert.Same(type, ProviderTypes.Get(type.Type));
        }
    }

    [Fact]
    public void Login_types_bridge_to_their_subscription_and_every_subscription_is_served()
    {
        var bridged = ProviderTypes.All.Where(t => !t.KeyBased).ToDictionary(t => t.Type, t => t.Subscription!.Type);
        Assert.Equal(new Dictionary<string, string> { ["claude"] = "claude", ["copilot"] = "copilot", ["gemini"] = "gemini", ["codex"] = "codex", ["antigravity"] = "antigravity", ["vertex"] = "vertex" }, bridged);
        Assert.Equal(SubscriptionProviders.Default.Types.Order(), bridged.Values.Order());
        Assert.All(ProviderTypes.All.Where(t => t.KeyBased), t => Assert.Null(t.Subscription));
    }

    [Theory]
    [InlineData("qwen")]
    [InlineData("github-copilot")]
    [InlineData("Claude")]
    public void An_unknown_type_finds_nothing_and_fails_loudly(string type)
    {
        Assert.Null(ProviderTypes.Find(type));
        var error = Assert.Throws<ArgumentException>(() => ProviderTypes.Get(type));
        Assert.Contains("openai, anthropic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_copilot_sends_a_token_to_the_host_the_token_names_and_only_at_its_default_base_url()
    {
        var login = new UpstreamCredential("t", null) { BaseUrl = "https://api.business.githubcopilot.com/" };
        var copilot = ProviderTypes.Get("copilot");

        Assert.Equal("https://api.business.githubcopilot.com", copilot.BaseUrlFor(login, copilot.DefaultBaseUrl));
        Assert.Null(copilot.BaseUrlFor(login, "http://127.0.0.1:9999"));
        Assert.Null(copilot.BaseUrlFor(new UpstreamCredential("t", null), copilot.DefaultBaseUrl));
        Assert.All(ProviderTypes.All.Where(t => t != copilot), t => Assert.Null(t.BaseUrlFor(login, t.DefaultBaseUrl)));
    }

    [Fact]
    public void The_openai_catalogue_applies_only_to_openai_itself()
    {
        var openai = ProviderTypes.Get("openai");
        Assert.True(openai.CatalogueApplies(openai.DefaultBaseUrl));
        Assert.False(openai.CatalogueApplies("http://127.0.0.1:11434/v1"));
        Assert.True(openai.KeyOptional);
        Assert.All(ProviderTypes.All.Where(t => t != openai), t => Assert.False(t.KeyOptional));
    }
}
