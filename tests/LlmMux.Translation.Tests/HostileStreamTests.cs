using System.Buffers;
using System.Text;

namespace LlmMux.Translation.Tests;

/// <summary>Upstream streams built to make a decoder's per-call bookkeeping explode (found while fuzzing).</summary>
public sealed class HostileStreamTests
{
    private static ArrayBufferWriter<byte> Run(Dialect from, string stream, Dialect to = Dialect.OpenAIResponses)
    {
        using var t = Translator.Default.CreateStreamTranslator(from, to, new StreamContext { Model = "m" });
        var output = new ArrayBufferWriter<byte>();
        t.Feed(Encoding.UTF8.GetBytes(stream), output);
        return output;
    }

    [Theory]
    [InlineData(2_000_000_000)]
    [InlineData(-1)]
    public void An_anthropic_block_index_far_out_of_range_is_a_translation_error_not_a_huge_list(int index)
    {
        var stream = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}}\n\n"
            + $"event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":{index},\"content_block\":{{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{{}}}}}}\n\n";
        var ex = Assert.Throws<TranslationException>(() => Run(Dialect.Anthropic, stream));
        Assert.Equal(TranslationErrorKind.WrongType, ex.Kind);
    }

    [Fact]
    public void An_openai_chunk_with_a_hundred_thousand_tool_calls_decodes_in_linear_time()
    {
        const int n = 100_000;
        var chunk = new StringBuilder("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[");
        for (int i = 0; i < n; i++)
        {
            chunk.Append(i == 0 ? "" : ",").Append("{\"index\":").Append(n - i).Append(",\"id\":\"call_").Append(i).Append("\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}");
        }

        chunk.Append("]}}]}\n\n");
        var output = Run(Dialect.OpenAIChat, chunk.ToString());
        Assert.Contains("call_99999", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Responses_argument_deltas_for_early_calls_are_found_in_constant_time()
    {
        const int n = 50_000;
        var stream = new StringBuilder("data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\"}}\n\n");
        for (int i = 0; i < n; i++)
        {
            stream.Append("data: {\"type\":\"response.output_item.added\",\"output_index\":").Append(i)
                .Append(",\"item\":{\"type\":\"function_call\",\"call_id\":\"call_").Append(i).Append("\",\"name\":\"f\"}}\n\n");
        }

        for (int i = 0; i < n; i++)
        {
            stream.Append("data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"{}\"}\n\n");
        }

        stream.Append("data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":7,\"delta\":\"{\\\"seven\\\":1}\"}\n\n");
        var output = Encoding.UTF8.GetString(Run(Dialect.OpenAIResponses, stream.ToString(), Dialect.OpenAIChat).WrittenSpan);
        Assert.Contains("{\\\"seven\\\":1}", output, StringComparison.Ordinal);
    }
}
