using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;
using LlmMux.Translation.Tests.Support.ElementDecoders;

namespace LlmMux.Translation.Tests;

/// <summary>The reader-based request decoders read exactly what the element-based oracles in
/// <c>Support/ElementDecoders</c> read: the same IR for every fixture and for bodies with members in unusual orders,
/// and the same error for broken ones.</summary>
public sealed class RequestReaderTests
{
    public static TheoryData<Dialect, string> Bodies() => new()
    {
        { Dialect.OpenAIChat, Fixture.Text("openai/request_tools.json") },
        { Dialect.OpenAIChat, Fixture.Text("openai/request_reasoning.json") },
        { Dialect.OpenAIChat, Fixture.Text("overrides/openai_chat.json") },
        { Dialect.OpenAIChat, """{"messages":[{"content":[{"text":"late type","type":"text"},{"image_url":{"detail":"low","url":"data:image/png;base64,AAAA"},"type":"image_url"}],"role":"user"},{"tool_calls":[{"function":{"arguments":{"a":1},"name":"f"},"id":"c1","type":"function","extra_content":{"google":{"thought_signature":"sig"}}}],"content":null,"role":"assistant","reasoning":"thinking"},{"content":"done","tool_call_id":"c1","role":"tool"}],"model":"m","tool_choice":{"type":"function","function":{"name":"f"}},"tools":[{"function":{"parameters":{"type":"object"},"name":"f"},"type":"function"},{"type":"custom","custom":{"name":"x"}}],"stop":"END","stream_options":{"include_usage":true},"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}}}""" },
        { Dialect.OpenAIChat, """{"model":"m","messages":[{"role":"assistant","content":"calling","function_call":{"name":"lookup","arguments":"{\"q\":1}"}},{"role":"function","name":"lookup","content":"42"},{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE"}},{"type":"input_audio","input_audio":{}}]}],"functions":[{"name":"lookup","parameters":{"type":"object"}}],"function_call":"auto","max_completion_tokens":5,"max_tokens":9,"seed":"12","top_k":3.7}""" },
        { Dialect.Anthropic, Fixture.Text("anthropic/request_tools.json") },
        { Dialect.Anthropic, Fixture.Text("overrides/claude_code.json") },
        { Dialect.Anthropic, Fixture.Text("overrides/claude_other.json") },
        { Dialect.Anthropic, """{"messages":[{"content":[{"text":"late type","type":"text"},{"source":{"data":"AAAA","media_type":"image/png","type":"base64"},"type":"image"},{"type":"document","source":{"type":"text","data":"doc"}},{"type":"document","source":{"type":"url","url":"https://x/a.pdf"}}],"role":"user"},{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"redacted_thinking","data":"xx"},{"input":{"q":[1,2]},"name":"f","id":"t1","type":"tool_use"}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"r"}],"is_error":true},{"type":"text","text":"next"}]},{"role":"system","content":[{"type":"text","text":"late "},{"type":"text","text":"system"}]}],"system":"first","model":"m","tools":[{"name":"f","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true},"thinking":{"type":"enabled","budget_tokens":2048},"metadata":{"user_id":"u"},"stop_sequences":["A","B"],"top_k":5}""" },
        { Dialect.Anthropic, """{"model":"m","messages":[{"content":"hi","role":"user"},{"content":[{"type":"tool_result","tool_use_id":"x","content":"plain"}],"role":"user"}],"system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"thinking":{"type":"adaptive"},"stream":true}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reader_and_document_decoders_agree(Dialect d, string body)
    {
        var codec = DialectRegistry.Default.Get(d);
        var bytes = Encoding.UTF8.GetBytes(body);
        using var doc = JsonDocument.Parse(bytes);
        var expected = Oracle(d, doc.RootElement);
        var actual = codec.DecodeRequest(new ReadOnlyMemory<byte>(bytes));
        Assert.True(expected.Equals(actual), IrDump.Conversation(expected) + "\n---\n" + IrDump.Conversation(actual));
    }

    [Theory]
    [InlineData(Dialect.OpenAIChat, """{"model":"m"}""", TranslationErrorKind.MissingField, "messages")]
    [InlineData(Dialect.OpenAIChat, """{"messages":null}""", TranslationErrorKind.MissingField, "messages")]
    [InlineData(Dialect.OpenAIChat, """{"messages":5}""", TranslationErrorKind.WrongType, "messages")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[5]}""", TranslationErrorKind.WrongType, "messages[]")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"content":"x"}]}""", TranslationErrorKind.MissingField, "role")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":7}]}""", TranslationErrorKind.WrongType, "role")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":"user","content":7}]}""", TranslationErrorKind.WrongType, "messages[].content")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}""", TranslationErrorKind.MissingField, "image_url")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":"assistant","tool_calls":[{"id":"1"}]}]}""", TranslationErrorKind.MissingField, "tool_calls[].function")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":5}}]}]}""", TranslationErrorKind.WrongType, "function.arguments")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[{"role":"tool","content":"x"}]}""", TranslationErrorKind.MissingField, "messages[].tool_call_id")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[],"tools":[{"type":"function"}]}""", TranslationErrorKind.MissingField, "tools[].function")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[],"tools":[{"function":{"name":"f","parameters":"x"}}]}""", TranslationErrorKind.WrongType, "parameters")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[],"temperature":"hot"}""", TranslationErrorKind.WrongType, "temperature")]
    [InlineData(Dialect.OpenAIChat, """{"messages":[],"model":1}""", TranslationErrorKind.WrongType, "model")]
    [InlineData(Dialect.Anthropic, """{"model":"m"}""", TranslationErrorKind.MissingField, "messages")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user"}]}""", TranslationErrorKind.MissingField, "content")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":null}]}""", TranslationErrorKind.MissingField, "content")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":7}]}""", TranslationErrorKind.WrongType, "messages[].content")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":[{"text":"x"}]}]}""", TranslationErrorKind.MissingField, "type")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":[{"type":"image"}]}]}""", TranslationErrorKind.MissingField, "image.source")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"weird"}}]}]}""", TranslationErrorKind.WrongType, "image.source.type")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":[{"type":"tool_use","name":"f"}]}]}""", TranslationErrorKind.MissingField, "id")]
    [InlineData(Dialect.Anthropic, """{"messages":[{"role":"user","content":[{"type":"tool_result"}]}]}""", TranslationErrorKind.MissingField, "tool_use_id")]
    [InlineData(Dialect.Anthropic, """{"messages":[],"system":5}""", TranslationErrorKind.WrongType, "system")]
    [InlineData(Dialect.Anthropic, """{"messages":[],"tools":[{"input_schema":{}}]}""", TranslationErrorKind.MissingField, "name")]
    [InlineData(Dialect.Anthropic, """{"messages":[],"tools":[{"name":"f","input_schema":[]}]}""", TranslationErrorKind.WrongType, "input_schema")]
    [InlineData(Dialect.Anthropic, """{"messages":[],"tool_choice":{"type":"tool"}}""", TranslationErrorKind.MissingField, "name")]
    [InlineData(Dialect.Anthropic, """{"messages":[],"max_tokens":"many"}""", TranslationErrorKind.WrongType, "max_tokens")]
    public void Broken_bodies_name_the_field(Dialect d, string body, TranslationErrorKind kind, string field)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var doc = JsonDocument.Parse(bytes);
        var fromDocument = Assert.Throws<TranslationException>(() => Oracle(d, doc.RootElement));
        var fromReader = Assert.Throws<TranslationException>(() => Translator.Default.DecodeRequest(bytes, d));
        Assert.Equal(kind, fromReader.Kind);
        Assert.Equal(fromDocument.Message, fromReader.Message);
        Assert.Contains($"'{field}'", fromReader.Message, StringComparison.Ordinal);
    }

    private static IrRequest Oracle(Dialect d, JsonElement root) => d switch
    {
        Dialect.OpenAIChat => OpenAIChatElementDecoder.Decode(root),
        Dialect.Anthropic => AnthropicElementDecoder.Decode(root),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "no element oracle for this dialect"),
    };
}
