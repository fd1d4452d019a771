using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests;

/// <summary>
/// Payload rules (<see cref="RequestOverrides.PayloadEdits"/>) in the one pass over the body: same-dialect bodies keep
/// every byte the rules do not touch; nested paths create missing objects, index arrays, and leave a body of another
/// shape alone; a property a provider already edits gets the rules on top of what it wrote.
/// </summary>
public sealed class PayloadEditsTests
{
    private static readonly Translator T = Translator.Default;

    private static PayloadEdit Edit(PayloadEditKind kind, string path, string? json = null)
        => new(kind, BodyPath.Parse(path, out _)!, json);

    private static string Same(string body, Dialect dialect, params PayloadEdit[] edits)
        => Same(body, dialect, new RequestOverrides(), edits);

    private static string Same(string body, Dialect dialect, RequestOverrides overrides, params PayloadEdit[] edits)
    {
        using var result = T.TranslateRequestBody(Encoding.UTF8.GetBytes(body), dialect, dialect, overrides with { PayloadEdits = [.. edits] });
        return Encoding.UTF8.GetString(result.ToArray());
    }

    [Fact]
    public void Top_level_defaults_overrides_and_filters_splice_in_place()
    {
        const string body = """{"model":"m", "temperature":0.2,"messages":[ {"role":"user","content":"hi"} ],"user":"u1"}""";
        var result = Same(body, Dialect.OpenAIChat,
            Edit(PayloadEditKind.Default, "temperature", "1"),
            Edit(PayloadEditKind.Default, "top_p", "0.5"),
            Edit(PayloadEditKind.Override, "model", "\"forced\""),
            Edit(PayloadEditKind.Remove, "user"));
        // the messages keep the client's own spacing: they were never decoded
        Assert.Equal("""{"model":"forced", "temperature":0.2,"messages":[ {"role":"user","content":"hi"} ],"top_p":0.5}""", result);
    }

    [Fact]
    public void A_default_fills_a_null_and_leaves_a_value()
    {
        var result = JsonNode.Parse(Same("""{"model":"m","seed":null,"n":2}""", Dialect.OpenAIChat,
            Edit(PayloadEditKind.Default, "seed", "7"), Edit(PayloadEditKind.Default, "n", "1")))!;
        Assert.Equal(7, result["seed"]!.GetValue<int>());
        Assert.Equal(2, result["n"]!.GetValue<int>());
    }

    [Fact]
    public void Nested_paths_create_missing_objects_and_keep_siblings()
    {
        const string body = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"topK":40}}""";
        var result = JsonNode.Parse(Same(body, Dialect.Gemini,
            Edit(PayloadEditKind.Default, "generationConfig.thinkingConfig.thinkingBudget", "32768"),
            Edit(PayloadEditKind.Override, "generationConfig.topK", "10"),
            Edit(PayloadEditKind.Default, "safetySettings.category", "\"x\"")))!;
        Assert.Equal(32768, result["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.Equal(10, result["generationConfig"]!["topK"]!.GetValue<int>());
        Assert.Equal("x", result["safetySettings"]!["category"]!.GetValue<string>());
        Assert.Equal("hi", result["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Array_indices_address_items_and_a_path_past_the_end_changes_nothing()
    {
        const string body = """{"model":"m","tools":[{"name":"a","cache_control":{"type":"ephemeral"}},{"name":"b"}],"messages":[]}""";
        var result = Same(body, Dialect.Anthropic,
            Edit(PayloadEditKind.Remove, "tools.0.cache_control"),
            Edit(PayloadEditKind.Override, "tools.1.strict", "true"),
            Edit(PayloadEditKind.Override, "tools.5.strict", "true"),
            Edit(PayloadEditKind.Remove, "messages.0"));
        Assert.Equal("""{"model":"m","tools":[{"name":"a"},{"name":"b","strict":true}],"messages":[]}""", result);
    }

    [Fact]
    public void A_path_through_a_value_of_another_shape_leaves_the_body_as_sent()
    {
        const string body = """{"model":"m","metadata":"text","messages":[]}""";
        Assert.Equal(body, Same(body, Dialect.OpenAIChat, Edit(PayloadEditKind.Override, "metadata.user", "\"u\"")));
    }

    [Fact]
    public void Later_edits_of_a_path_win_and_a_filter_removes_what_a_default_set()
    {
        var result = JsonNode.Parse(Same("""{"model":"m","messages":[]}""", Dialect.OpenAIChat,
            Edit(PayloadEditKind.Default, "reasoning.effort", "\"low\""),
            Edit(PayloadEditKind.Override, "reasoning.effort", "\"high\""),
            Edit(PayloadEditKind.Default, "store", "true"),
            Edit(PayloadEditKind.Remove, "store")))!;
        Assert.Equal("high", result["reasoning"]!["effort"]!.GetValue<string>());
        Assert.Null(result["store"]);
    }

    [Fact]
    public void Rules_apply_on_top_of_a_providers_own_field_edits()
    {
        // Codex forces store:false and removes temperature; a rule can still set either, in the same pass.
        var codex = new RequestOverrides
        {
            RemoveFields = ["temperature"],
            ForceFields = [BodyField.Flag("store", false)],
        };
        var result = JsonNode.Parse(Same("""{"model":"m","input":"hi","temperature":0.3}""", Dialect.OpenAIResponses, codex,
            Edit(PayloadEditKind.Override, "temperature", "0.9"),
            Edit(PayloadEditKind.Default, "store", "true")))!;
        Assert.Equal(0.9, result["temperature"]!.GetValue<double>());
        Assert.False(result["store"]!.GetValue<bool>()); // present after the provider's edit: the default leaves it
    }

    [Fact]
    public void Rules_apply_to_a_reasoning_patch_of_the_same_property()
    {
        var overrides = new RequestOverrides { Reasoning = new IrReasoningConfig(null, 4096) };
        var result = JsonNode.Parse(Same("""{"model":"m","max_tokens":10000,"messages":[{"role":"user","content":"hi"}]}""", Dialect.Anthropic, overrides,
            Edit(PayloadEditKind.Override, "thinking.budget_tokens", "2048")))!;
        Assert.Equal("enabled", result["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal(2048, result["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void A_translated_body_gets_the_rules_after_encoding()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt","messages":[{"role":"user","content":"hi"}],"max_tokens":100}""");
        var overrides = new RequestOverrides
        {
            Model = "gemini-2.5-pro",
            PayloadEdits = [Edit(PayloadEditKind.Default, "generationConfig.thinkingConfig.thinkingBudget", "1024"), Edit(PayloadEditKind.Override, "generationConfig.maxOutputTokens", "50")],
        };
        var result = JsonNode.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Gemini, overrides))!;
        Assert.Equal(1024, result["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.Equal(50, result["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
        Assert.Equal("hi", result["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void A_body_no_rule_touches_goes_out_unchanged()
    {
        const string body = """{"model":"m",  "messages":[{"role":"user","content":"hi"}]}""";
        Assert.Equal(body, Same(body, Dialect.OpenAIChat, Edit(PayloadEditKind.Remove, "not_there"), Edit(PayloadEditKind.Remove, "deep.not.there")));
    }

    [Theory]
    [InlineData("a.b.0", new[] { "a", "b", "0" })]
    [InlineData(@"x\.y.z", new[] { "x.y", "z" })]
    [InlineData(@"back\\slash", new[] { @"back\slash" })]
    public void Paths_split_on_dots_with_escapes(string text, string[] segments)
        => Assert.Equal(segments, BodyPath.Parse(text, out _)!.Segments.ToArray());

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("a.")]
    [InlineData(".a")]
    public void Malformed_paths_are_refused_with_a_reason(string text)
    {
        Assert.Null(BodyPath.Parse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Edits_keep_their_order_when_grouped_by_property()
    {
        ImmutableArray<PayloadEdit> edits = [Edit(PayloadEditKind.Override, "a.x", "1"), Edit(PayloadEditKind.Override, "b", "2"), Edit(PayloadEditKind.Remove, "a")];
        var result = Same("""{"model":"m"}""", Dialect.OpenAIChat, [.. edits]);
        Assert.Equal("""{"model":"m","b":2}""", result);
    }
}
