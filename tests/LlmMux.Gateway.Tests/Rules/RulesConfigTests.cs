using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Rules;
using LlmMux.Translation;

namespace LlmMux.Gateway.Tests.Rules;

/// <summary>The rule keys as the file writes them: read, compiled, and refused with key and line when wrong.</summary>
public sealed class RulesConfigTests
{
    private const string Providers = """
        providers:
          - name: oa
            type: openai
            base-url: https://api.openai.com/v1
            api-keys: [k1, k2]
            models: [gpt-4.1, gpt-4.1-mini, o3]
            excluded-models: ["o3*"]
            accounts:
              key-00000000: { excluded-models: [gpt-4.1] }
          - name: an
            type: anthropic
            api-keys: [k3]
            models: [claude-sonnet-4-5]

        """;

    [Fact]
    public void Every_rule_kind_is_read()
    {
        var options = ConfigLoader.Parse(Providers + """
            payload:
              default:
                - models: ["gemini-2.5-*"]
                  upstream: gemini-api
                  params:
                    "generationConfig.thinkingConfig.thinkingBudget": 32768
                    "tools.0.name": "007"
              override:
                - models: gpt-5*
                  inbound: [openai-chat, anthropic]
                  params: { service_tier: priority, store: false, temperature: 0.5, metadata: { team: a }, stop: [x, "y"], seed: ~ }
              filter:
                - upstream: [codex]
                  params: [temperature, "tools.0.cache_control"]
            error-rules:
              - status: [400, 422]
                contains: context length
                action: next
              - status: 429
                regex: "quota (exceeded|exhausted)"
                action: cooldown
                cooldown: 1h
                scope: model
                then: stop
            routing:
              pools:
                smart: [oa/gpt-4.1, an/claude-sonnet-4-5]
                fast: { strategy: round-robin, models: [gpt-4.1-mini, an/claude-sonnet-4-5] }
            """, "t.yaml");

        var defaults = Assert.Single(options.Payload.Default);
        Assert.Equal(["gemini-2.5-*"], defaults.Models);
        Assert.Equal(["gemini-api"], defaults.Upstream);
        Assert.Equal([new PayloadParam("generationConfig.thinkingConfig.thinkingBudget", "32768"), new PayloadParam("tools.0.name", "\"007\"")], defaults.Params);
        var forced = Assert.Single(options.Payload.Override).Params.ToDictionary(p => p.Path, p => p.Json);
        Assert.Equal("\"priority\"", forced["service_tier"]);
        Assert.Equal("false", forced["store"]);
        Assert.Equal("0.5", forced["temperature"]);
        Assert.Equal("""{"team":"a"}""", forced["metadata"]);
        Assert.Equal("""["x","y"]""", forced["stop"]);
        Assert.Equal("null", forced["seed"]);
        Assert.Equal([new PayloadParam("temperature", null), new PayloadParam("tools.0.cache_control", null)], Assert.Single(options.Payload.Filter).Params);

        Assert.Equal([400, 422], options.ErrorRules[0].Status);
        Assert.Equal(TimeSpan.FromHours(1), options.ErrorRules[1].Cooldown);
        Assert.Matches(options.ErrorRules[1].Regex!, "Quota Exhausted for today");
        Assert.Equal(RuleNames.PoolRoundRobin, options.Routing.Pools["fast"].Strategy);
        Assert.Equal(["oa/gpt-4.1", "an/claude-sonnet-4-5"], options.Routing.Pools["smart"].Models);
    }

    [Theory]
    [InlineData("error-rules:\n  - status: 400\n    regex: \"([a-z\"\n    action: next\n", "t.yaml: line 3, column 12: not a valid regular expression")]
    [InlineData("payload:\n  filter:\n    - params: [\"a..b\"]\n", "t.yaml: line 3, column 16: not a JSON path")]
    [InlineData("payload:\n  override:\n    - params: [a, b]\n", "t.yaml: line 3, column 15: wrong type: default and override params map each path")]
    [InlineData("payload:\n  default:\n    - models: [x]\n", "t.yaml: line 3, column 7: a payload rule needs 'params'")]
    [InlineData("payload:\n  always:\n    - params: { a: 1 }\n", "t.yaml: line 2, column 3: unknown key 'always' in payload")]
    [InlineData("error-rules:\n  - status: 400\n    action: next\n    colour: red\n", "t.yaml: line 4, column 5: unknown key 'colour'")]
    [InlineData("error-rules:\n  - status: 400\n    action: cooldown\n    cooldown: soon\n", "t.yaml: line 4, column 15: expected a duration")]
    public void Rule_values_that_do_not_build_name_line_and_column(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "t.yaml"));
        Assert.StartsWith(expectedStart, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error-rules:\n  - status: 200\n    action: next\n", "t.yaml: line 2: error-rules[0].status: must be an error status 400-599")]
    [InlineData("error-rules:\n  - status: 500\n    action: retry\n", "t.yaml: line 3: error-rules[0].action: must be one of stop, next, cooldown, got 'retry'")]
    [InlineData("error-rules:\n  - status: 500\n    action: cooldown\n", "t.yaml: line 2: error-rules[0].cooldown: action 'cooldown' needs a cooldown")]
    [InlineData("error-rules:\n  - status: 500\n    action: next\n    cooldown: 5m\n", "t.yaml: line 4: error-rules[0].cooldown: applies only to action 'cooldown'")]
    [InlineData("error-rules:\n  - status: 500\n    action: cooldown\n    cooldown: 5m\n    scope: region\n", "t.yaml: line 5: error-rules[0].scope: must be one of account, model")]
    [InlineData("error-rules:\n  - status: 500\n    action: next\n    providers: [ghost]\n", "t.yaml: line 4: error-rules[0].providers: names no configured provider: 'ghost'")]
    [InlineData("error-rules:\n  - status: 500\n    contains: a\n    regex: b\n    action: next\n", "t.yaml: line 4: error-rules[0].regex: give 'contains' or 'regex', not both")]
    [InlineData("payload:\n  default:\n    - inbound: [klingon]\n      params: { a: 1 }\n", "t.yaml: line 3: payload.default[0].inbound: unknown dialect 'klingon'")]
    [InlineData("payload:\n  filter:\n    - upstream: martian\n      params: [a]\n", "t.yaml: line 3: payload.filter[0].upstream: unknown provider type 'martian'")]
    [InlineData("routing:\n  pools:\n    smart: []\n", "t.yaml: line 3: routing.pools.smart.models: a pool needs at least one member")]
    [InlineData("routing:\n  pools:\n    a: [b]\n    b: [x]\n", "t.yaml: line 3: routing.pools.a.models: 'b' is a pool; pools do not nest")]
    [InlineData("routing:\n  pools:\n    a: { strategy: random, models: [x] }\n", "t.yaml: line 3: routing.pools.a.strategy: must be one of fill-first, round-robin")]
    [InlineData("routing:\n  aliases: { a: x }\n  pools:\n    a: [y]\n", "t.yaml: line 4: routing.pools.a: 'a' is also a routing alias")]
    [InlineData("providers:\n  - name: p\n    type: openai\n    excluded-models: ['']\n", "t.yaml: line 4: providers[0].excluded-models: a model glob must not be empty")]
    public void Rule_references_and_ranges_name_key_and_line(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "t.yaml"));
        Assert.StartsWith(expectedStart, ex.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Payload_rules_match_by_model_inbound_dialect_and_upstream_type()
    {
        var rules = PayloadRules.Build(ConfigLoader.Parse("""
            payload:
              default:
                - models: ["gpt-5*"]
                  params: { a: 1 }
              override:
                - inbound: anthropic
                  upstream: [openai, codex]
                  params: { b: 2 }
              filter:
                - params: [c]
            """, "t.yaml").Payload);
        var none = new RequestOverrides();

        static string[] Paths(RequestOverrides o) => o.PayloadEdits.Select(e => $"{e.Kind}:{e.Path}").ToArray();
        Assert.Equal(["Default:a", "Override:b", "Remove:c"], Paths(rules.Apply(none, "smart", "gpt-5.1", Dialect.Anthropic, "openai")));
        Assert.Equal(["Remove:c"], Paths(rules.Apply(none, "claude-x", "claude-x", Dialect.Anthropic, "anthropic")));
        // the client's name counts as much as the upstream's (an alias, a pool)
        Assert.Equal(["Default:a", "Remove:c"], Paths(rules.Apply(none, "gpt-5-alias", "other", Dialect.OpenAIChat, "openai")));
    }

    [Fact]
    public void A_request_no_payload_rule_matches_keeps_its_overrides_instance()
    {
        var rules = PayloadRules.Build(ConfigLoader.Parse("payload:\n  filter:\n    - models: [x]\n      params: [c]\n", "t.yaml").Payload);
        var overrides = new RequestOverrides { Model = "m" };
        Assert.Same(overrides, rules.Apply(overrides, "m", "m", Dialect.OpenAIChat, "openai"));
        Assert.Same(overrides, PayloadRules.None.Apply(overrides, "m", "m", Dialect.OpenAIChat, "openai"));
    }

    [Fact]
    public void Error_rules_are_tried_in_order_by_status_provider_and_body()
    {
        var rules = ErrorRules.Build(ConfigLoader.Parse(Providers + """
            error-rules:
              - status: 400
                providers: [an]
                contains: OVERLOADED
                action: next
              - status: [400, 503]
                regex: "maint[a-z]+"
                action: stop
            """, "t.yaml").ErrorRules);

        Assert.True(rules.Covers(400, "oa"));
        Assert.False(rules.Covers(429, "oa"));
        Assert.Equal(RuleNames.ActionNext, rules.Match(400, "an", """{"error":"temporarily overloaded"}""")?.Action);
        Assert.Equal(RuleNames.ActionStop, rules.Match(503, "an", "down for Maintenance")?.Action);
        Assert.Null(rules.Match(400, "oa", "overloaded"));
        Assert.Null(rules.Match(400, "an", "bad request"));
    }

    [Fact]
    public void Pools_chain_their_members_and_exclusions_narrow_routes_and_lists()
    {
        var key1 = GatewaySnapshot.AccountIdFor("k1");
        var snapshot = new GatewaySnapshot(ConfigLoader.Parse(Providers.Replace("key-00000000", key1, StringComparison.Ordinal) + """
            routing:
              pools:
                smart: [oa/gpt-4.1, an/claude-sonnet-4-5, oa/gpt-4.1]
                turns: { strategy: round-robin, models: [oa/gpt-4.1-mini, an/claude-sonnet-4-5] }
                gone: [oa/o3]
            """, "t.yaml"), 1);
        var resolver = snapshot.Resolver;

        string[] Chain(string model) => resolver.Resolve(model)?.Chain.Select(t => $"{t.Provider.Name}:{t.UpstreamModel}").ToArray() ?? [];
        Assert.Equal(["oa:gpt-4.1", "an:claude-sonnet-4-5"], Chain("smart"));
        Assert.Equal(["oa:gpt-4.1", "an:claude-sonnet-4-5"], Chain("smart-high")); // a reasoning suffix on a pool
        Assert.Equal(["oa:gpt-4.1-mini", "an:claude-sonnet-4-5"], Chain("turns"));
        Assert.Equal(["an:claude-sonnet-4-5", "oa:gpt-4.1-mini"], Chain("turns")); // round-robin: the next request starts one on
        Assert.Empty(Chain("o3")); // excluded for the whole provider
        Assert.Empty(Chain("gone"));

        var listed = resolver.ListedModels().Select(m => m.Model).ToList();
        Assert.Contains("smart", listed);
        Assert.Contains("gpt-4.1", listed); // k2 may still serve it
        Assert.DoesNotContain("o3", listed);
        Assert.DoesNotContain("gone", listed);

        var oa = snapshot.Providers[0];
        Assert.True(oa.Accounts.Single(a => a.Id == key1).Excluded.Matches("gpt-4.1"));
        Assert.False(oa.Accounts.Single(a => a.Id != key1).Excluded.Matches("gpt-4.1"));
    }

    [Fact]
    public void A_model_every_account_excludes_is_neither_routed_nor_listed()
    {
        var snapshot = new GatewaySnapshot(ConfigLoader.Parse("""
            providers:
              - name: oa
                type: openai
                base-url: https://llm.example/v1
                api-keys: [k1]
                models: [m1, m2]
                accounts:
                  KEY: { excluded-models: ["m2"] }
            """.Replace("KEY", GatewaySnapshot.AccountIdFor("k1"), StringComparison.Ordinal), "t.yaml"), 1);
        Assert.Null(snapshot.Resolver.Resolve("m2"));
        Assert.Equal(["m1"], snapshot.Resolver.ListedModels().Select(m => m.Model));
    }
}

public sealed class AccountExclusionTests
{
    [Fact]
    public void A_login_account_is_named_by_its_file_label_or_e_mail()
    {
        var options = ConfigLoader.Parse("""
            providers:
              - name: claude
                type: claude
                accounts:
                  claude-a.json: { excluded-models: ["*-opus-*"] }
                  work: { excluded-models: ["*-haiku-*"] }
                  b@example.com: { excluded-models: ["*-sonnet-*"] }
            """, "t.yaml");
        LlmMux.Accounts.Store.Account Login(string id, string email, string? label)
            => new(id, "claude", email, label, false, null, LlmMux.Accounts.Store.AccountState.Ready);
        var snapshot = new GatewaySnapshot(options, 1, [Login("claude-a", "a@example.com", "work"), Login("claude-b", "b@example.com", null)]);

        var accounts = snapshot.Providers[0].Accounts.ToDictionary(a => a.Id);
        Assert.True(accounts["claude-a"].Excluded.Matches("claude-opus-4-5"));
        Assert.True(accounts["claude-a"].Excluded.Matches("claude-haiku-4-5")); // its label's entry adds to its file's
        Assert.False(accounts["claude-a"].Excluded.Matches("claude-sonnet-4-5"));
        Assert.True(accounts["claude-b"].Excluded.Matches("claude-sonnet-4-5"));
        Assert.False(accounts["claude-b"].Excluded.Matches("claude-opus-4-5"));

        // haiku is excluded on claude-a only: claude-b still serves it
        Assert.NotNull(snapshot.Resolver.Resolve("claude-haiku-4-5"));
    }
}
