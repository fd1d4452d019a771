using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void A_full_file_loads_into_typed_options()
    {
        var options = ConfigLoader.Parse("""
            host: 0.0.0.0
            port: 9000
            api-keys: [k1, k2]
            allow-unauthenticated-remote: false
            limits:
              max-request-body-mb: 8
            providers:
              - name: oa
                type: openai
                base-url: https://example.test/v1
                api-keys: [sk-1]
                headers: { X-Org: acme }
                strategy: fill-first
                models:
                  - gpt-4.1-mini
                  - { name: gpt-4.1, alias: smart }
            routing:
              default-provider: oa
              aliases: { fast: oa/gpt-4.1-mini }
              rules:
                - match: "gpt-*"
                  providers: [oa]
              max-attempts: 2
              max-cooldown-wait: 90s
            telemetry:
              prometheus: false
            """, "test.yaml");

        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(9000, options.Port);
        Assert.Equal(["k1", "k2"], options.ApiKeys);
        Assert.Equal(8, options.Limits.MaxRequestBodyMb);
        var provider = Assert.Single(options.Providers);
        Assert.Equal("https://example.test/v1", provider.BaseUrl);
        Assert.Equal("acme", provider.Headers["X-Org"]);
        Assert.Equal([new ModelEntry("gpt-4.1-mini"), new ModelEntry("gpt-4.1", "smart")], provider.Models);
        Assert.Equal("oa/gpt-4.1-mini", options.Routing.Aliases["fast"]);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Routing.MaxCooldownWait);
        Assert.False(options.Telemetry.Prometheus);
    }

    [Fact]
    public void Keys_left_empty_keep_their_defaults()
    {
        var options = ConfigLoader.Parse("port:\nproviders:\nrouting:\n  max-attempts: ~\n", "test.yaml");
        Assert.Equal(8317, options.Port);
        Assert.Empty(options.Providers);
        Assert.Equal(4, options.Routing.MaxAttempts);
    }

    [Fact]
    public void An_empty_file_gives_the_defaults()
    {
        var options = ConfigLoader.Parse("", "empty.yaml");
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(8317, options.Port);
        Assert.Empty(options.Providers);
    }

    [Theory]
    [InlineData("port: 1\nbogus-key: 3\n", "test.yaml: line 2, column 1: unknown key 'bogus-key'")]
    [InlineData("providers:\n  - name: a\n    type: openai\n    colour: red\n", "test.yaml: line 4, column 5: unknown key 'colour'")]
    [InlineData("port: 1\nlimits:\n  max-request-body-mb: lots\n", "test.yaml: line 3, column 24: wrong type")]
    [InlineData("routing:\n  max-cooldown-wait: soon\n", "test.yaml: line 2, column 22: expected a duration")]
    [InlineData("providers:\n  - name: a\n    type: openai\n    models:\n      - { alias: x }\n", "test.yaml: line 5, column 9: a model entry needs 'name'")]
    [InlineData("api-keys: sk-1\n", "test.yaml: line 1, column 11: wrong type: expected a list")]
    [InlineData("debug: maybe\n", "test.yaml: line 1, column 8: wrong type: expected true or false, got 'maybe'")]
    [InlineData("limits:\n  max-request-body-mb: [1]\n", "test.yaml: line 2, column 24: wrong type: expected a single value")]
    [InlineData("port: [1, 2\n", "test.yaml: line 2, column 1: While parsing a flow sequence")] // found at the end of the input
    public void Malformed_files_name_the_line_and_key(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));
        Assert.StartsWith(expectedStart, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("providers:\n  - name: a\n    type: martian\n", "test.yaml: line 3: providers[0].type: unknown type 'martian'")]
    [InlineData("providers:\n  - name: a\n    type: openai\n  - name: a\n    type: openai\n", "test.yaml: line 4: providers[1].name: duplicate provider name 'a'")]
    [InlineData("providers:\n  - name: a\n    type: openai\n    base-url: not-a-url\n", "test.yaml: line 4: providers[0].base-url: must be an absolute http(s) URL")]
    [InlineData("providers:\n  - name: a\n    type: anthropic\n", "test.yaml: line 2: providers[0].api-keys: type 'anthropic' needs at least one key")]
    [InlineData("routing:\n  default-provider: ghost\n", "test.yaml: line 2: routing.default-provider: names no configured provider: 'ghost'")]
    [InlineData("routing:\n  rules:\n    - match: 'x*'\n      providers: [ghost]\n", "test.yaml: line 4: routing.rules[0].providers: names no configured provider: 'ghost'")]
    [InlineData("port: 70000\n", "test.yaml: line 1: port: must be 0-65535")]
    [InlineData("providers:\n  - name: a\n    type: openai\n    strategy: random\n", "test.yaml: line 4: providers[0].strategy: unknown strategy 'random'")]
    public void Invalid_values_name_the_key_and_line(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));
        Assert.StartsWith(expectedStart, ex.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_at_once()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("port: -1\nrouting:\n  max-attempts: 0\n", "t.yaml"));
        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void The_example_config_in_the_repository_is_valid()
    {
        var path = Path.Combine(RepoRoot(), "llm-mux.yaml");
        var options = ConfigLoader.Load(path);
        Assert.Equal(8317, options.Port);
    }

    [Fact]
    public void Environment_overrides_beat_the_file_and_flags_beat_the_environment()
    {
        var env = new Dictionary<string, string?> { ["LLM_MUX_PORT"] = "9100", ["LLM_MUX_API_KEYS"] = "a, b", ["LLM_MUX_HOST"] = "0.0.0.0" };
        var overrides = ConfigOverrides.FromEnvironment(env.GetValueOrDefault).Then(new ConfigOverrides { Port = 9200 });
        var options = overrides.ApplyTo(ConfigLoader.Parse("port: 1\nhost: 127.0.0.1\n", "t.yaml"));
        Assert.Equal(9200, options.Port);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(["a", "b"], options.ApiKeys);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmMux.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
