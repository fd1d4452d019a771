using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests;

public sealed class ToolPairingTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Interrupted_call_gets_an_error_result_and_orphan_results_are_dropped()
    {
        var body = """
            {"model":"gpt-4o","messages":[
              {"role":"user","content":"list files"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"ls","arguments":"{}"}},
                {"id":"call_2","type":"function","function":{"name":"pwd","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"a.txt"},
              {"role":"tool","tool_call_id":"call_9","content":"stale"},
              {"role":"user","content":"go on"}]}
            """u8.ToArray();

        var anthropic = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Anthropic)).RootElement;
        var results = anthropic.GetProperty("messages")[2].GetProperty("content");
        Assert.Equal("call_1", results[0].GetProperty("tool_use_id").GetString());
        Assert.Equal("call_2", results[1].GetProperty("tool_use_id").GetString());
        Assert.True(results[1].GetProperty("is_error").GetBoolean());
        Assert.Equal("text", results[2].GetProperty("type").GetString()); // "go on" shares the user turn
        Assert.DoesNotContain("call_9", anthropic.GetRawText(), StringComparison.Ordinal);

        var gemini = JsonDocument.Parse(T.TranslateRequest(body, Dialect.OpenAIChat, Dialect.Gemini)).RootElement;
        var parts = gemini.GetProperty("contents")[2].GetProperty("parts");
        Assert.Equal("pwd", parts[1].GetProperty("functionResponse").GetProperty("name").GetString());
    }

    [Fact]
    public void Paired_history_is_left_alone()
    {
        var ir = T.DecodeRequest(Support.Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat);
        Assert.Same(ir, IrToolPairing.Repair(ir));
    }
}
