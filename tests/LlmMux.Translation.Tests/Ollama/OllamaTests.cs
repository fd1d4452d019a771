using System.Text;
using System.Text.Json;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests.Ollama;

public sealed class OllamaTests
{
    private static readonly Translator T = Translator.Default;

    [Fact]
    public void Decodes_chat_request_pairing_tool_results_by_name()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("ollama/request_tools.json"), Dialect.Ollama);
        Assert.True(ir.Stream); // Ollama streams unless told otherwise
        Assert.Equal([IrRole.User, IrRole.Assistant, IrRole.Tool, IrRole.User], ir.Messages.Select(m => m.Role));
        Assert.Equal("image/png", ir.Messages[0].Parts.OfType<IrImage>().Single().MediaType);
        var calls = ir.Messages[1].Parts.OfType<IrToolCall>().Select(c => c.Id).ToList();
        Assert.Equal(calls, ir.Messages[2].Parts.OfType<IrToolResult>().Select(r => r.ToolCallId));
        Assert.Equal(1024, ir.Params.MaxTokens);
        Assert.Equal(40, ir.Params.TopK);
        Assert.True(ir.Params.Reasoning!.IncludeThoughts);
    }

    [Fact]
    public void Decodes_generate_request_and_encodes_chat_for_upstreams()
    {
        var ir = T.DecodeRequest(Fixture.Bytes("ollama/request_generate.json"), Dialect.OllamaGenerate);
        Assert.False(ir.Stream);
        Assert.Equal(["Be brief."], ir.System.ToArray());
        Assert.Equal("Why is the sky blue?", IrPartText.Join(ir.Messages.Single().Parts));

        var root = JsonDocument.Parse(T.TranslateRequest(Fixture.Bytes("openai/request_tools.json"), Dialect.OpenAIChat, Dialect.Ollama)).RootElement;
        Assert.True(root.GetProperty("stream").GetBoolean());
        var msgs = root.GetProperty("messages");
        Assert.Equal("tool", msgs[3].GetProperty("role").GetString());
        Assert.Equal("get_weather", msgs[3].GetProperty("tool_name").GetString());
        Assert.Equal("Paris, France", msgs[2].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetProperty("location").GetString());
        Assert.Equal(1024, root.GetProperty("options").GetProperty("num_predict").GetInt32());
    }

    [Fact]
    public void Generate_stream_round_trips_through_anthropic()
    {
        var s = StreamSummary.Of(Dialect.OllamaGenerate, Fixture.Bytes("ollama/stream_generate.ndjson"));
        Assert.Equal("The sky is blue because of Rayleigh scattering.", s.Text);
        Assert.Equal(new IrUsage(26, 12), s.Usage);

        var anthropic = StreamRun.Translate(Dialect.OllamaGenerate, Dialect.Anthropic, Fixture.Bytes("ollama/stream_generate.ndjson"));
        var back = StreamRun.Translate(Dialect.Anthropic, Dialect.OllamaGenerate, anthropic);
        var lines = Encoding.UTF8.GetString(back).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("The sky is blue because of Rayleigh scattering.", string.Concat(lines.Select(l => l.GetProperty("response").GetString())));
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
        Assert.Equal(26, lines[^1].GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(12, lines[^1].GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public void Openai_stream_becomes_ndjson_with_whole_tool_calls()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.OpenAIChat, Dialect.Ollama, Fixture.Bytes("openai/stream_tools.sse")));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var calls = lines.Where(l => l.GetProperty("message").TryGetProperty("tool_calls", out _)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("Tokyo, Japan", calls[1].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetProperty("location").GetString());
        Assert.All(lines[..^1], l => Assert.False(l.GetProperty("done").GetBoolean()));
        Assert.Equal("stop", lines[^1].GetProperty("done_reason").GetString());
        Assert.Equal(82, lines[^1].GetProperty("prompt_eval_count").GetInt32());
    }

    [Fact]
    public void Upstream_error_line_becomes_client_error()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using var t = T.CreateStreamTranslator(Dialect.Ollama, Dialect.Anthropic);
        t.Feed("{\"error\":\"model 'x' not found\"}\n"u8, output);
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("event: error", text, StringComparison.Ordinal);
        Assert.Contains("model 'x' not found", text, StringComparison.Ordinal);
    }
}
