using System.Text;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.Anthropic;

/// <summary>Claude's <c>output_config.effort</c> as the IR's reasoning effort, for targets that have one.</summary>
public sealed class AnthropicEffortTests
{
    private static IrReasoningConfig? Reasoning(string extra) => Translator.Default.DecodeRequest(Encoding.UTF8.GetBytes(
        $$"""{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}]{{extra}}}"""), Dialect.Anthropic).Params.Reasoning;

    [Theory]
    [InlineData("low", "low")]
    [InlineData("high", "high")]
    [InlineData("max", "xhigh")]
    public void Effort_alone_is_a_reasoning_effort_without_thoughts_sent_back(string effort, string expected)
        => Assert.Equal(new IrReasoningConfig(expected, null, false), Reasoning($$$""","output_config":{"format":{"type":"json_schema","schema":{}},"effort":"{{{effort}}}"}"""));

    [Fact]
    public void Effort_sets_adaptive_thinking_and_yields_to_an_explicit_budget_or_thinking_off()
    {
        Assert.Equal(new IrReasoningConfig("low", null, true), Reasoning(""","thinking":{"type":"adaptive"},"output_config":{"effort":"low"}"""));
        Assert.Equal(new IrReasoningConfig(null, 4096, true), Reasoning(""","output_config":{"effort":"low"},"thinking":{"type":"enabled","budget_tokens":4096}"""));
        Assert.Equal(new IrReasoningConfig(null, 0, false), Reasoning(""","thinking":{"type":"disabled"},"output_config":{"effort":"high"}"""));
        Assert.Null(Reasoning(""","output_config":{"effort":"unheard-of"}"""));
        Assert.Null(Reasoning(""","context_management":{"edits":[]},"output_config":null"""));
    }
}
