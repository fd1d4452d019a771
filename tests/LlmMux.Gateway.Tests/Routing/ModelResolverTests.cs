using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Routing;

namespace LlmMux.Gateway.Tests.Routing;

public sealed class ModelResolverTests
{
    private static readonly ModelResolver Resolver = new GatewaySnapshot(ConfigLoader.Parse("""
        providers:
          - name: primary
            type: openai
            api-keys: [k1]
            models: [gpt-4.1-mini, { name: gpt-4.1, alias: smart }, o3]
          - name: backup
            type: openai
            api-keys: [k2]
            models: [gpt-4.1-mini, moonshotai/kimi-k2]
          - name: router
            type: openai
            base-url: https://openrouter.ai/api/v1
            api-keys: [k3]
        routing:
          default-provider: router
          aliases: { quick: backup/gpt-4.1-mini, house: smart }
          rules:
            - match: "claude-*"
              providers: [backup, primary]
        """, "t.yaml"), 1).Resolver;

    private static string[] Chain(string model)
        => Resolver.Resolve(model)!.Chain.Select(t => $"{t.Provider.Name}:{t.UpstreamModel}").ToArray();

    [Fact]
    public void A_provider_prefix_pins_the_provider()
        => Assert.Equal(["backup:gpt-4.1-mini"], Chain("backup/gpt-4.1-mini"));

    [Fact]
    public void A_slash_that_names_no_provider_is_part_of_the_model_name()
        => Assert.Equal(["backup:moonshotai/kimi-k2"], Chain("moonshotai/kimi-k2"));

    [Fact]
    public void Routing_aliases_come_before_rules_and_listings()
    {
        Assert.Equal(["backup:gpt-4.1-mini"], Chain("quick"));
        Assert.Equal(["primary:gpt-4.1"], Chain("house"));
    }

    [Fact]
    public void Rules_give_an_ordered_chain()
        => Assert.Equal(["backup:claude-sonnet-4", "primary:claude-sonnet-4"], Chain("claude-sonnet-4"));

    [Fact]
    public void Every_provider_listing_a_model_serves_it_in_config_order()
        => Assert.Equal(["primary:gpt-4.1-mini", "backup:gpt-4.1-mini"], Chain("gpt-4.1-mini"));

    [Fact]
    public void A_model_alias_maps_to_the_upstream_name()
        => Assert.Equal(["primary:gpt-4.1"], Chain("smart"));

    [Fact]
    public void Unlisted_models_go_to_the_default_provider()
        => Assert.Equal(["router:some/other-model"], Chain("some/other-model"));

    [Theory]
    [InlineData("o3-high", "o3", true, "high", null)]
    [InlineData("o3-none", "o3", false, "none", null)]
    [InlineData("claude-x-thinking", "claude-x", true, null, null)]
    [InlineData("claude-x-thinking-max", "claude-x", true, "max", null)]
    [InlineData("claude-x-thinking-4096", "claude-x", true, null, 4096)]
    [InlineData("claude-x-nothinking", "claude-x", false, null, null)]
    public void Reasoning_suffixes_are_understood_and_stripped(string model, string baseModel, bool enabled, string? effort, int? budget)
    {
        Assert.True(ReasoningRequest.TryStrip(model, out var stripped, out var reasoning));
        Assert.Equal(baseModel, stripped);
        Assert.Equal(new ReasoningRequest(enabled, effort, budget), reasoning);
    }

    [Fact]
    public void A_suffixed_name_routes_by_its_base_model_and_keeps_the_reasoning()
    {
        var route = Resolver.Resolve("o3-high")!;
        Assert.Equal("o3", route.Chain[0].UpstreamModel);
        Assert.Equal("high", route.Reasoning!.Effort);
    }

    [Fact]
    public void Without_a_default_provider_an_unknown_model_resolves_to_nothing()
    {
        var resolver = new GatewaySnapshot(ConfigLoader.Parse("providers:\n  - name: a\n    type: openai\n    models: [m]\n", "t.yaml"), 1).Resolver;
        Assert.Null(resolver.Resolve("unknown"));
        Assert.Null(resolver.Resolve(""));
    }

    [Fact]
    public void A_provider_without_a_models_list_serves_its_types_catalogue_and_families()
    {
        var resolver = new GatewaySnapshot(ConfigLoader.Parse("""
            providers:
              - { name: claude-keys, type: anthropic, api-keys: [k] }
              - { name: google, type: gemini-api, api-keys: [k] }
              - { name: local, type: openai, base-url: "http://127.0.0.1:11434/v1" }
            """, "t.yaml"), 1).Resolver;

        Assert.Equal("claude-keys", resolver.Resolve("claude-sonnet-4-5")!.Chain[0].Provider.Name);
        Assert.Equal("claude-keys", resolver.Resolve("claude-future-9")!.Chain[0].Provider.Name);
        Assert.Equal("google", resolver.Resolve("gemini-2.5-pro")!.Chain[0].Provider.Name);
        Assert.Null(resolver.Resolve("gpt-5")); // a self-hosted OpenAI-compatible server claims no OpenAI models
        Assert.Contains(resolver.ListedModels(), m => m == ("gemini-2.5-flash", "google"));
    }

    [Fact]
    public void The_model_list_holds_listed_models_and_aliases_once_each()
    {
        var models = Resolver.ListedModels().Select(m => m.Model).ToList();
        Assert.Equal(["gpt-4.1-mini", "smart", "o3", "moonshotai/kimi-k2", "quick", "house"], models);
    }
}
