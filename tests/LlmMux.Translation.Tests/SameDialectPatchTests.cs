using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>A reasoning override on a same-dialect request edits only the reasoning fields (and the model): everything
/// the IR does not model, like Anthropic cache_control breakpoints, survives byte for byte.</summary>
public sealed class SameDialectPatchTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Anthropic_thinking_override_keeps_cache_control_and_server_tools()
    {
        var overrides = new RequestOverrides { Model = "claude-opus-4-5", Reasoning = new IrReasoningConfig("high", null) };
        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic, Dialect.Anthropic, overrides)).RootElement;
        Assert.Equal("claude-opus-4-5", root.GetProperty("model").GetString());
        Assert.Equal(24576, root.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal(16000 + 24576, root.GetProperty("max_tokens").GetInt32()); // raised above the new budget
        Assert.Equal("ephemeral", root.GetProperty("system")[1].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal("web_search", root.GetProperty("tools")[1].GetProperty("name").GetString());
        Assert.Equal(0.95, root.GetProperty("top_p").GetDouble());
    }

    [Fact]
    public void Anthropic_thinking_off_removes_the_block()
    {
        var overrides = new RequestOverrides { Reasoning = new IrReasoningConfig("none", 0) };
        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("anthropic/request_tools.json"), Dialect.Anthropic, Dialect.Anthropic, overrides)).RootElement;
        Assert.False(root.TryGetProperty("thinking", out _));
        Assert.Equal("claude-sonnet-4-5-20250929", root.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(Dialect.OpenAIChat, "openai/request_tools.json", "reasoning_effort", "\"low\"")]
    [InlineData(Dialect.OpenAIResponses, "responses/request_tools.json", "reasoning", """{"effort":"low","summary":"auto"}""")]
    [InlineData(Dialect.Ollama, "ollama/request_tools.json", "think", "true")]
    public void Other_dialects_patch_their_reasoning_field(Dialect d, string fixture, string field, string expected)
    {
        var original = JsonDocument.Parse(Fixture.Bytes(fixture)).RootElement;
        var overrides = new RequestOverrides { Model = "m2", Reasoning = new IrReasoningConfig("low", null) };
        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes(fixture), d, d, overrides)).RootElement;
        Assert.Equal(expected, root.GetProperty(field).GetRawText());
        Assert.Equal("m2", root.GetProperty("model").GetString());
        // every other top-level property is untouched
        foreach (var p in original.EnumerateObject().Where(p => p.Name != field && p.Name != "model"))
        {
            Assert.Equal(IrDump.Json(p.Value.GetRawText()), IrDump.Json(root.GetProperty(p.Name).GetRawText()));
        }
    }

    [Fact]
    public void Gemini_and_code_assist_patch_thinking_config_and_keep_safety_settings()
    {
        var overrides = new RequestOverrides { Reasoning = new IrReasoningConfig(null, 512) };
        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("gemini/request_tools.json"), Dialect.Gemini, Dialect.Gemini, overrides)).RootElement;
        var gen = root.GetProperty("generationConfig");
        Assert.Equal(512, gen.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
        Assert.Equal(40, gen.GetProperty("topK").GetInt32());
        Assert.Equal("BLOCK_NONE", root.GetProperty("safetySettings")[0].GetProperty("threshold").GetString());
        Assert.Equal("OBJECT", root.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("parameters").GetProperty("type").GetString());

        var ca = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("gemini/codeassist_request_tools.json"), Dialect.GeminiCodeAssist, Dialect.GeminiCodeAssist,
            overrides with { Model = "gemini-2.5-flash" })).RootElement;
        Assert.Equal("gemini-2.5-flash", ca.GetProperty("model").GetString());
        Assert.Equal("my-gcp-project-123", ca.GetProperty("project").GetString());
        Assert.Equal("sess-1", ca.GetProperty("request").GetProperty("sessionId").GetString());
        Assert.Equal(512, ca.GetProperty("request").GetProperty("generationConfig").GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
    }
}
