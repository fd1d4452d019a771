using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>
/// The overrides a subscription declares, on bodies shaped like Claude Code, Codex CLI and Gemini CLI traffic. The
/// expected files are what the upstream received when each protocol rewrote the body itself (a JsonNode round trip
/// after translation): same-dialect bodies must come out byte for byte the same; translated ones the same JSON (the
/// encoder now places the overridden fields itself and writes non-ASCII and quotes unescaped).
/// </summary>
public sealed class RequestOverridesTests
{
    private const string Identity = "You are Claude Code, Anthropic's official CLI for Claude.";

    private static readonly Translator T = Translator.Default;

    private static readonly RequestOverrides Claude = new() { SystemPrefix = Identity };

    private static readonly RequestOverrides Codex = new()
    {
        RemoveFields = ["stream_options", "previous_response_id", "prompt_cache_retention", "safety_identifier", "max_output_tokens", "temperature", "top_p", "user", "metadata"],
        ForceFields = [BodyField.Flag("store", false), BodyField.Flag("stream", true)],
        DefaultFields = [BodyField.Text("instructions", "You are a helpful assistant.")],
    };

    private static readonly RequestOverrides CodeAssist = new() { CodeAssistProject = "acct-project-1" };

    [Theory]
    [InlineData("claude_code.json", "claude-opus-4-5", "same_claude_code")]
    [InlineData("claude_other.json", "claude-sonnet-4-5", "same_claude_string_system")]
    [InlineData("claude_nosystem.json", "claude-sonnet-4-5", "same_claude_no_system")]
    public void Claude_identity_opens_the_system_prompt_once_in_place(string input, string model, string expected) =>
        AssertSame(input, Dialect.Anthropic, Claude with { Model = model }, expected);

    [Theory]
    [InlineData("codex_cli.json", "same_codex_cli")]
    [InlineData("codex_other.json", "same_codex_other")]
    public void Codex_fields_are_removed_forced_and_defaulted_in_place(string input, string expected) =>
        AssertSame(input, Dialect.OpenAIResponses, Codex with { Model = "gpt-5-codex" }, expected);

    [Fact]
    public void Codex_fields_and_a_reasoning_suffix_are_one_splice() =>
        AssertSame("codex_other.json", Dialect.OpenAIResponses, Codex with { Model = "gpt-5-codex", Reasoning = new IrReasoningConfig("high", null) }, "same_codex_other_reasoning");

    [Theory]
    [InlineData("gemini_cli.json", "same_gemini_cli")]
    [InlineData("gemini_noproject.json", "same_gemini_no_project")]
    public void Code_assist_project_is_the_accounts(string input, string expected) =>
        AssertSame(input, Dialect.GeminiCodeAssist, CodeAssist with { Model = "gemini-2.5-flash" }, expected);

    [Theory]
    [InlineData("openai_chat.json", Dialect.OpenAIChat, Dialect.Anthropic, "claude-sonnet-4-5", true, "cross_chat_to_claude")]
    [InlineData("openai_nosystem.json", Dialect.OpenAIChat, Dialect.Anthropic, "claude-sonnet-4-5", false, "cross_chat_no_system_to_claude")]
    [InlineData("openai_chat.json", Dialect.OpenAIChat, Dialect.OpenAIResponses, "gpt-5-codex", true, "cross_chat_to_codex")]
    [InlineData("openai_nosystem.json", Dialect.OpenAIChat, Dialect.OpenAIResponses, "gpt-5-codex", true, "cross_chat_no_system_to_codex")]
    [InlineData("claude_code.json", Dialect.Anthropic, Dialect.OpenAIResponses, "gpt-5-codex", true, "cross_claude_code_to_codex")]
    [InlineData("openai_chat.json", Dialect.OpenAIChat, Dialect.GeminiCodeAssist, "gemini-2.5-pro", true, "cross_chat_to_code_assist")]
    public void Translated_bodies_get_the_same_overrides(string input, Dialect from, Dialect to, string model, bool stream, string expected)
    {
        var declared = to switch
        {
            Dialect.Anthropic => Claude,
            Dialect.OpenAIResponses => Codex,
            _ => CodeAssist,
        };
        var ir = T.DecodeRequest(Fixture.Bytes("overrides/" + input), from);
        using var body = T.EncodeRequestBody(ir, to, declared with { Model = model, Stream = stream });
        var actual = JsonNode.Parse(body.ToArray());
        var wanted = JsonNode.Parse(Fixture.Bytes($"overrides/expected/{expected}.json"));
        Assert.True(JsonNode.DeepEquals(wanted, actual), $"expected {wanted!.ToJsonString()}\n     got {actual!.ToJsonString()}");

        // translating straight from the client's bytes gives the same body
        var direct = JsonNode.Parse(T.TranslateRequest(Fixture.Bytes("overrides/" + input), from, to, declared with { Model = model, Stream = stream }));
        Assert.True(JsonNode.DeepEquals(wanted, direct));
    }

    [Fact]
    public void A_translated_body_that_already_opens_with_the_identity_keeps_it_once()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("overrides/claude_code.json"), Dialect.Anthropic);
        var root = JsonNode.Parse(T.EncodeRequest(ir, Dialect.Anthropic, Claude))!;
        var system = root["system"]!.AsArray();
        Assert.Equal(2, system.Count);
        Assert.Equal(Identity, system[0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", """{"model":"m","messages":[],"system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."}]}""")]
    [InlineData("""{"model":"m","system":null,"messages":[]}""", """{"model":"m","system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."}],"messages":[]}""")]
    [InlineData("""{"model":"m","system":"","messages":[]}""", """{"model":"m","system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."}],"messages":[]}""")]
    [InlineData("""{"model":"m","system":[7],"messages":[]}""", """{"model":"m","system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."},7],"messages":[]}""")]
    [InlineData("""{"model":"m","system":[ ],"messages":[]}""", """{"model":"m","system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."}],"messages":[]}""")]
    [InlineData("""{"model":"m","system":"be \"brief\"","messages":[]}""", """{"model":"m","system":[{"type":"text","text":"You are Claude Code, Anthropic\u0027s official CLI for Claude."},{"type":"text","text":"be \"brief\""}],"messages":[]}""")]
    public void Claude_identity_whatever_shape_the_client_system_has(string body, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(T.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.Anthropic, Dialect.Anthropic, Claude)));

    [Fact]
    public void A_system_prefix_on_a_dialect_without_an_in_place_form_goes_through_the_ir()
    {
        var root = JsonNode.Parse(T.TranslateRequest(Fixture.Bytes("overrides/openai_chat.json"), Dialect.OpenAIChat, Dialect.OpenAIChat, new RequestOverrides { SystemPrefix = "first" }))!;
        var messages = root["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.StartsWith("first", messages[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static void AssertSame(string input, Dialect d, RequestOverrides overrides, string expected)
    {
        var wanted = Encoding.UTF8.GetString(Fixture.Bytes($"overrides/expected/{expected}.json"));
        using var body = T.TranslateRequestBody(Fixture.Bytes("overrides/" + input), d, d, overrides);
        Assert.Equal(wanted, Encoding.UTF8.GetString(body.ToArray()));
    }
}
