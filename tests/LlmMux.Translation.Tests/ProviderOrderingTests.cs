using System.Text;
using LlmMux.Translation.Ir;
using LlmMux.Translation.Tests.Support;

namespace LlmMux.Translation.Tests;

/// <summary>Orderings real OpenAI-compatible servers emit that differ from OpenAI's own.</summary>
public sealed class ProviderOrderingTests
{
    private static byte[] Sse(params string[] data) =>
        Encoding.UTF8.GetBytes(string.Concat(data.Select(d => "data: " + d + "\n\n")));

    [Fact]
    public void Whole_tool_call_in_one_chunk_usage_with_finish_and_no_done()
    {
        // vLLM / DeepSeek style: reasoning_content deltas, a complete call in one delta, usage on the finish chunk.
        var input = Sse(
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Think"},"finish_reason":null}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"reasoning_content":"ing."},"finish_reason":null}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_0","type":"function","function":{"name":"ls","arguments":"{\"path\":\".\"}"}}]},"finish_reason":null}]}""",
            """{"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""");

        var output = StreamRun.Translate(Dialect.OpenAIChat, Dialect.Anthropic, input);
        var text = Encoding.UTF8.GetString(output);
        Anthropic.AnthropicTests.AssertBlocksWellFormed(text);
        var s = StreamSummary.Of(Dialect.Anthropic, output);
        Assert.Equal("Thinking.", s.Reasoning);
        Assert.Equal(("call_0", "ls"), (s.ToolCalls[0].Id, s.ToolCalls[0].Name));
        StreamSummary.AssertSameArgs("""{"path":"."}""", s.ToolCalls[0].Args);
        Assert.Equal(IrFinishReason.ToolCalls, s.Finish);
        Assert.Equal(new IrUsage(10, 5), s.Usage);
    }

    [Fact]
    public void Parallel_calls_keep_their_openai_index_across_dialects()
    {
        var output = Encoding.UTF8.GetString(StreamRun.Translate(Dialect.Anthropic, Dialect.OpenAIChat, Fixture.Bytes("anthropic/stream_tools.sse")));
        var starts = output.Split("\n\n").Where(e => e.Contains("\"type\":\"function\"", StringComparison.Ordinal)).ToList();
        Assert.Contains("\"index\":0,\"id\":\"toolu_01A09q90qw90lq917835lq9\"", starts[0], StringComparison.Ordinal);
        Assert.Contains("\"index\":1,\"id\":\"toolu_01B19r91rx91mr928946mr0\"", starts[1], StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"tool_calls\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Keep_alive_comments_and_multiline_data_are_tolerated()
    {
        var input = Encoding.UTF8.GetBytes(
            ": keep-alive\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\n" +
            "data: \"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");
        var s = StreamSummary.Of(Dialect.OpenAIChat, input);
        Assert.Equal("hi", s.Text);
        Assert.True(s.Ended);
    }
}
