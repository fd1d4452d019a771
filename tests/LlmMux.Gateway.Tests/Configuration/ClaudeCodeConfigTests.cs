using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Tests.Configuration;

public sealed class ClaudeCodeConfigTests
{
    [Fact]
    public void Claude_code_aliases_and_session_sources_load()
    {
        var options = ConfigLoader.Parse("""
            routing:
              session-sources: ["body:prompt_cache_key", "header:x-claude-code-session-id"]
            claude-code:
              model-aliases:
                claude-gpt-5: openai/gpt-5
              alias-prefix: claude-via-
            """, "test.yaml");

        Assert.Equal(["body:prompt_cache_key", "header:x-claude-code-session-id"], options.Routing.SessionSources);
        Assert.Equal("openai/gpt-5", options.ClaudeCode.ModelAliases["claude-gpt-5"]);
        Assert.Equal("claude-via-", options.ClaudeCode.AliasPrefix);
    }

    [Fact]
    public void By_default_every_known_session_source_is_read_claude_codes_header_first()
    {
        var options = ConfigLoader.Parse("", "test.yaml");
        Assert.Equal("header:x-claude-code-session-id", options.Routing.SessionSources[0]);
        Assert.Contains("body:conversation", options.Routing.SessionSources);
        Assert.Empty(ConfigLoader.Parse("routing:\n  session-sources: []\n", "test.yaml").Routing.SessionSources);
    }

    [Theory]
    [InlineData("routing:\n  session-sources: [\"cookie:sid\"]\n", "test.yaml: line 2: routing.session-sources[0]: 'cookie:sid' must start with 'header:' or 'body:'")]
    [InlineData("routing:\n  session-sources: [\"body:messages\"]\n", "test.yaml: line 2: routing.session-sources[0]: 'body:messages' is not a body field llm-mux reads")]
    [InlineData("routing:\n  session-sources: [\"header:bad header\"]\n", "test.yaml: line 2: routing.session-sources[0]: 'header:bad header' names no valid header")]
    [InlineData("claude-code:\n  model-aliases:\n    gpt-5-for-claude: openai/gpt-5\n", "test.yaml: line 2: claude-code.model-aliases: 'gpt-5-for-claude' must start with 'claude' or 'anthropic'")]
    [InlineData("claude-code:\n  alias-prefix: via-\n", "test.yaml: line 2: claude-code.alias-prefix: 'via-' must start with 'claude' or 'anthropic'")]
    [InlineData("claude-code:\n  colour: red\n", "test.yaml: line 2, column 3: unknown key 'colour'")]
    public void Invalid_values_name_the_key_and_line(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));
        Assert.StartsWith(expectedStart, ex.Errors.Count > 0 ? ex.Errors[0] : ex.Message, StringComparison.Ordinal);
    }
}
