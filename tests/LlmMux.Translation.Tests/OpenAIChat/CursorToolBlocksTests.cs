using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.OpenAIChat;

/// <summary>Cursor's agent sends Anthropic-style tool_use / tool_result content parts to /v1/chat/completions.</summary>
public sealed class CursorToolBlocksTests
{
    private static readonly Translator T = Translator.Default;

    private static readonly byte[] CursorBody = Encoding.UTF8.GetBytes("""
        {"model":"claude-sonnet-4-5","stream":true,"messages":[
          {"role":"system","content":"You are Cursor."},
          {"role":"user","content":[{"type":"text","text":"List the files."}]},
          {"role":"assistant","content":[
            {"type":"text","text":"Listing."},
            {"type":"tool_use","id":"toolu_01Xy","name":"run_terminal_cmd","input":{"command":"ls"}}]},
          {"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_01Xy","content":[{"type":"text","text":"a.txt\nb.txt"}]},
            {"type":"text","text":"Now count them."}]}],
         "tools":[{"type":"function","function":{"name":"run_terminal_cmd","parameters":{"type":"object"}}}]}
        """);

    [Fact]
    public void Tool_use_and_tool_result_parts_become_tool_calls_and_results()
    {
        var ir = T.DecodeRequest(CursorBody, Dialect.OpenAIChat);

        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.User], ir.Messages.Select(m => m.Role));
        var call = ir.Messages[1].Parts.OfType<IrToolCall>().Single();
        Assert.Equal(("toolu_01Xy", "run_terminal_cmd", """{"command":"ls"}"""), (call.Id, call.Name, call.ArgumentsJson));
        var result = Assert.IsType<IrToolResult>(Assert.Single(ir.Messages[2].Parts));
        Assert.Equal("toolu_01Xy", result.ToolCallId);
        Assert.Equal("a.txt\nb.txt", result.JoinedText());
        Assert.Equal("Now count them.", IrPartText.Join(ir.Messages[3].Parts));
    }

    [Fact]
    public void A_tool_result_string_and_an_error_flag_are_kept()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"model":"m","messages":[{"role":"user","content":"go"},
             {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"boom","is_error":true}]}]}
            """);

        var ir = T.DecodeRequest(body, Dialect.OpenAIChat);

        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool], ir.Messages.Select(m => m.Role));
        var result = Assert.IsType<IrToolResult>(Assert.Single(ir.Messages[2].Parts));
        Assert.True(result.IsError);
        Assert.Equal("boom", result.JoinedText());
    }

    [Fact]
    public void Sent_to_anthropic_they_are_a_well_formed_tool_loop()
    {
        var body = T.TranslateRequest(CursorBody, Dialect.OpenAIChat, Dialect.Anthropic);

        using var doc = JsonDocument.Parse(body);
        var messages = doc.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Equal("tool_use", messages[1].GetProperty("content")[1].GetProperty("type").GetString());
        var answer = messages[2].GetProperty("content");
        Assert.Equal("tool_result", answer[0].GetProperty("type").GetString());
        Assert.Equal("toolu_01Xy", answer[0].GetProperty("tool_use_id").GetString());
        Assert.Equal("Now count them.", answer[1].GetProperty("text").GetString());
    }

    [Fact]
    public void Sent_to_openai_they_are_standard_tool_calls_and_tool_messages()
    {
        var body = T.TranslateRequest(CursorBody, Dialect.OpenAIChat, Dialect.OpenAIResponses);
        var text = Encoding.UTF8.GetString(body);

        Assert.Contains("\"type\":\"function_call\"", text, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"function_call_output\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tool_use", text, StringComparison.Ordinal);
    }

    [Fact]
    public void To_an_openai_chat_upstream_they_are_rewritten_as_standard_tool_calls()
    {
        Assert.True(Translator.NeedsHistoryPass(CursorBody, Dialect.OpenAIChat));
        using var sent = T.TranslateRequestBody(CursorBody, Dialect.OpenAIChat, Dialect.OpenAIChat);

        using var doc = JsonDocument.Parse(sent.ToArray());
        var messages = doc.RootElement.GetProperty("messages");
        Assert.Equal("toolu_01Xy", messages[2].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Equal("tool", messages[3].GetProperty("role").GetString());
        Assert.Equal("toolu_01Xy", messages[3].GetProperty("tool_call_id").GetString());
        Assert.DoesNotContain("tool_use", Encoding.UTF8.GetString(sent.ToArray()), StringComparison.Ordinal);
    }
}
