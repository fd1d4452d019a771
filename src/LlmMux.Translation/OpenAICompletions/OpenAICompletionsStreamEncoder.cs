using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary>IR events → <c>text_completion</c> SSE chunks ending with <c>data: [DONE]</c>. Only text reaches the client:
/// reasoning and tool calls have no field in this dialect (drop table).</summary>
internal sealed class OpenAICompletionsStreamEncoder(StreamContext context) : IrStreamEncoder
{
    private readonly OpenAIChat.OpenAIChunkHeader _header = new("text_completion");
    private bool _finishSent;

    // Legacy streams have no role/opening chunk: the start's metadata waits for the first text chunk.
    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        if (text.Length > 0)
        {
            WriteChoice(output, text, null);
        }
    }

    protected override void OnFinish(IBufferWriter<byte> output, IrFinishReason reason) => WriteFinish(output, reason);

    public override void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        if (!_finishSent)
        {
            WriteFinish(output, IrFinishReason.Stop);
        }

        // Same rule as Chat Completions: the usage chunk only when the client asked for it.
        if (Usage is { } u && context.IncludeUsage)
        {
            var w = BeginChunk(output);
            w.WritePropertyName("choices"u8);
            w.WriteStartArray();
            w.WriteEndArray();
            _header.WriteModel(w);
            OpenAICompletionsResponse.WriteUsage(w, u);
            w.WriteEndObject();
            EndSse(output);
        }

        output.Write("data: [DONE]\n\n"u8);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
        => WriteTerminalError(output, default, OpenAIChat.OpenAIFamilyDialect.WriteErrorBody, status, message, code, "data: [DONE]\n\n"u8);

    /// <summary>Opens a chunk up to <c>created</c>; the caller writes <c>choices</c> and then <c>model</c>, the
    /// field order OpenAI uses for legacy chunks.</summary>
    private Utf8JsonWriter BeginChunk(IBufferWriter<byte> output)
    {
        if (!_header.IsFixed)
        {
            _header.Fix(Id ??= OpenAICompletionsResponse.NewId(), context.Model ?? Model ?? string.Empty, NowUnix());
        }

        var w = BeginSse(output, default);
        w.WriteStartObject();
        _header.Write(w);
        return w;
    }

    private void WriteChoice(IBufferWriter<byte> output, string text, string? finish)
    {
        var w = BeginChunk(output);
        w.WritePropertyName("choices"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        w.WriteNumber("index"u8, 0);
        w.WriteNull("logprobs"u8);
        if (finish is null)
        {
            w.WriteNull("finish_reason"u8);
        }
        else
        {
            w.WriteString("finish_reason"u8, finish);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        _header.WriteModel(w);
        w.WriteEndObject();
        EndSse(output);
    }

    private void WriteFinish(IBufferWriter<byte> output, IrFinishReason reason)
    {
        if (_finishSent)
        {
            return;
        }

        _finishSent = true;
        WriteChoice(output, string.Empty, OpenAICompletionsResponse.FinishReason(reason));
    }
}
