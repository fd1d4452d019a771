using System.Text.Json.Nodes;
using LlmMux.Translation.Gemini;

namespace LlmMux.Translation.Tests.Gemini;

/// <summary>
/// Tool schemas for a Claude model behind Google (Antigravity): what Google's Schema message and Claude both take, the
/// rest inlined, merged, hinted or dropped; and the body around them.
/// </summary>
public sealed class GeminiClaudeSchemaTests
{
    private static readonly HashSet<string> GoogleSchemaFields =
    [
        "type", "format", "title", "description", "nullable", "default", "items", "minItems", "maxItems", "enum", "properties",
        "propertyOrdering", "required", "minProperties", "maxProperties", "minimum", "maximum", "minLength", "maxLength",
        "pattern", "example", "anyOf",
    ];

    private const string Rich = """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
         "properties":{
           "city":{"type":"string","minLength":1,"format":"hostname","x-order":1},
           "unit":{"anyOf":[{"$ref":"#/$defs/unit"},{"type":"null"}],"default":"c","description":"Unit"},
           "days":{"type":["integer","null"],"exclusiveMinimum":0},
           "kind":{"const":"weather"},
           "level":{"enum":[1,2,3]},
           "tags":{"type":"array"},
           "where":{"oneOf":[{"type":"string"},{"type":"object","properties":{"lat":{"type":"number"}},"patternProperties":{"^x":{}}}]},
           "both":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"boolean"}}}]},
           "$ref":{"type":"string","description":"a property named like a keyword"}
         },
         "required":["city","missing"],
         "$defs":{"unit":{"type":"string","enum":["c","f"]}}}
        """;

    private static JsonObject Clean(string schema) => JsonNode.Parse(GeminiClaudeSchema.ToParameters(schema))!.AsObject();

    [Fact]
    public void A_rich_schema_keeps_its_meaning_in_what_google_and_claude_take()
    {
        var p = Clean(Rich);
        AssertOnlyGoogleFields(p);
        Assert.Equal("object", p["type"]!.GetValue<string>());
        Assert.Equal(["city"], p["required"]!.AsArray().Select(r => r!.GetValue<string>()));

        var props = p["properties"]!.AsObject();
        Assert.Equal(["city", "unit", "days", "kind", "level", "tags", "where", "both", "$ref"], props.Select(kv => kv.Key));
        Assert.Equal("""{"type":"string","minLength":1,"description":"format: hostname"}""", props["city"]!.ToJsonString());
        Assert.Equal("""{"type":"string","enum":["c","f"],"description":"Unit (default: c)","nullable":true}""", props["unit"]!.ToJsonString());
        Assert.Equal("integer", props["days"]!["type"]!.GetValue<string>());
        Assert.True(props["days"]!["nullable"]!.GetValue<bool>());
        Assert.Equal("exclusiveMinimum: 0", props["days"]!["description"]!.GetValue<string>());
        Assert.Equal("""{"enum":["weather"]}""", props["kind"]!.ToJsonString());
        Assert.Equal("""{"description":"Allowed: 1, 2, 3"}""", props["level"]!.ToJsonString());
        Assert.Equal("""{"type":"array","items":{"type":"string"}}""", props["tags"]!.ToJsonString());
        Assert.Equal("""{"anyOf":[{"type":"string"},{"type":"object","properties":{"lat":{"type":"number"}}}]}""", props["where"]!.ToJsonString());
        Assert.Equal("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"boolean"}},"required":["a"]}""", props["both"]!.ToJsonString());
        Assert.Equal("a property named like a keyword", props["$ref"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void A_root_union_becomes_one_object_with_what_every_branch_requires()
    {
        var p = Clean("""{"anyOf":[{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q","n"]},{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}]}""");
        Assert.Equal("""{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]}""", p.ToJsonString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{}")]
    public void No_or_a_broken_schema_is_an_empty_object(string? schema) =>
        Assert.Equal("""{"type":"object","properties":{}}""", GeminiClaudeSchema.ToParameters(schema));

    [Fact]
    public void A_recursive_ref_ends_as_a_hint()
    {
        var p = Clean("""{"type":"object","properties":{"node":{"$ref":"#/$defs/node"}},"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}}}""");
        AssertOnlyGoogleFields(p);
        Assert.Equal("See: node", p["properties"]!["node"]!["properties"]!["next"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public void Property_names_and_tool_call_arguments_are_never_rewritten()
    {
        const string openAi = """
            {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"t","arguments":"{\"format\":\"x\",\"const\":1}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"ok"}],
             "tools":[{"type":"function","function":{"name":"t","parameters":{"type":"object","properties":{"format":{"type":"string"},"const":{"type":"integer"}},"additionalProperties":false}}}]}
            """;
        var body = JsonNode.Parse(Translator.Default.TranslateRequest(System.Text.Encoding.UTF8.GetBytes(openAi), Dialect.OpenAIChat, Dialect.GeminiCodeAssist, new RequestOverrides { GeminiForClaude = true }))!;
        var declaration = body["request"]!["tools"]![0]!["functionDeclarations"]![0]!;
        Assert.Null(declaration["parametersJsonSchema"]);
        Assert.Equal("""{"type":"object","properties":{"format":{"type":"string"},"const":{"type":"integer"}}}""", declaration["parameters"]!.ToJsonString());
        var call = body["request"]!["contents"]![1]!["parts"]![0]!["functionCall"]!;
        Assert.Equal("""{"format":"x","const":1}""", call["args"]!.ToJsonString());
    }

    [Fact]
    public void Without_the_option_the_schema_goes_as_parametersJsonSchema_as_sent()
    {
        const string anthropic = """{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"go"}],"tools":[{"name":"t","input_schema":{"type":"object","additionalProperties":false,"properties":{}}}]}""";
        var body = JsonNode.Parse(Translator.Default.TranslateRequest(System.Text.Encoding.UTF8.GetBytes(anthropic), Dialect.Anthropic, Dialect.GeminiCodeAssist))!;
        var declaration = body["request"]!["tools"]![0]!["functionDeclarations"]![0]!;
        Assert.Null(declaration["parameters"]);
        Assert.Equal("""{"type":"object","additionalProperties":false,"properties":{}}""", declaration["parametersJsonSchema"]!.ToJsonString());
    }

    [Theory]
    [InlineData(8000, 10000, 14096)]
    [InlineData(10000, 10000, 14096)]
    [InlineData(20000, 10000, 20000)]
    public void Max_output_stays_above_the_thinking_budget_for_claude(int maxTokens, int budget, int expected)
    {
        var anthropic = $$"""{"model":"m","max_tokens":{{maxTokens}},"thinking":{"type":"enabled","budget_tokens":{{budget}}},"messages":[{"role":"user","content":"go"}]}""";
        var bytes = System.Text.Encoding.UTF8.GetBytes(anthropic);
        var claude = JsonNode.Parse(Translator.Default.TranslateRequest(bytes, Dialect.Anthropic, Dialect.GeminiCodeAssist, new RequestOverrides { GeminiForClaude = true }))!;
        Assert.Equal(expected, claude["request"]!["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
        Assert.Equal(budget, claude["request"]!["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());

        var gemini = JsonNode.Parse(Translator.Default.TranslateRequest(bytes, Dialect.Anthropic, Dialect.GeminiCodeAssist))!;
        Assert.Equal(maxTokens, gemini["request"]!["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
    }

    [Fact]
    public void The_cleaned_parameters_decode_back_as_the_same_tool()
    {
        var gemini = $$"""{"contents":[{"role":"user","parts":[{"text":"go"}]}],"tools":[{"functionDeclarations":[{"name":"t","parameters":{{GeminiClaudeSchema.ToParameters(Rich)}}}]}]}""";
        var ir = Translator.Default.DecodeRequest(System.Text.Encoding.UTF8.GetBytes(gemini), Dialect.Gemini);
        var schema = JsonNode.Parse(ir.Tools[0].ParametersJson!)!;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal(["c", "f"], schema["properties"]!["unit"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    private static JsonNode Replay(string modelParts, bool forClaude)
    {
        var body = $$$$$"""
            {"model":"claude-opus-4-5-thinking","project":"p","request":{"contents":[
              {"role":"user","parts":[{"text":"go"}]},
              {"role":"model","parts":[{{{{{modelParts}}}}}]},
              {"role":"user","parts":[{"functionResponse":{"id":"c1","name":"t","response":{"result":"ok"}}}]}],
             "generationConfig":{"maxOutputTokens":1024,"thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}}}}
            """;
        var ir = Translator.Default.DecodeRequest(System.Text.Encoding.UTF8.GetBytes(body), Dialect.GeminiCodeAssist);
        return JsonNode.Parse(Translator.Default.EncodeRequest(ir, Dialect.GeminiCodeAssist, new RequestOverrides { GeminiForClaude = forClaude }))!["request"]!;
    }

    private const string Call = """{"functionCall":{"id":"c1","name":"t","args":{}}}""";

    [Fact]
    public void A_tool_turn_that_replays_its_signed_thinking_keeps_thinking_with_room_above_the_budget()
    {
        var request = Replay("""{"text":"Let me look.","thought":true,"thoughtSignature":"sig-1"},""" + Call, forClaude: true);
        Assert.Equal(2048, request["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.Equal(2048 + 4096, request["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
        var first = request["contents"]![1]!["parts"]![0]!;
        Assert.True(first["thought"]!.GetValue<bool>());
        Assert.Equal("sig-1", first["thoughtSignature"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(Call)]
    [InlineData("""{"text":"Unsigned thoughts.","thought":true},""" + Call)]
    public void A_tool_turn_without_signed_thinking_goes_to_claude_without_thinking(string parts)
    {
        var claude = Replay(parts, forClaude: true);
        Assert.Null(claude["generationConfig"]!["thinkingConfig"]);
        Assert.Equal(1024, claude["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
        Assert.All(claude["contents"]![1]!["parts"]!.AsArray(), p => Assert.Null(p!["thought"]));

        var gemini = Replay(parts, forClaude: false);
        Assert.NotNull(gemini["generationConfig"]!["thinkingConfig"]);
    }

    private static void AssertOnlyGoogleFields(JsonNode? node, bool propertyMap = false)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (!propertyMap)
                    {
                        Assert.Contains(key, GoogleSchemaFields);
                    }

                    AssertOnlyGoogleFields(value, propertyMap: !propertyMap && key == "properties");
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    AssertOnlyGoogleFields(item);
                }

                break;
        }
    }
}
