using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>IR events → Ollama NDJSON. Ollama clients get each tool call whole, so argument fragments are collected
/// until the call is complete.</summary>
internal sealed class OllamaStreamEncoder(StreamContext context, bool generate) : IrStreamEncoder
{
    private readonly BufferedToolCall _call = new();
    private string? _createdAt;

    protected override void BeforeEvent(IBufferWriter<byte> output, IrStreamEvent e)
    {
        if (BufferedToolCall.EndsCall(e))
        {
            FlushCall(output);
        }
    }

    protected override void OnText(IBufferWriter<byte> output, string text) => WriteChunk(output, text, null);

    protected override void OnReasoning(IBufferWriter<byte> output, string text) => WriteChunk(output, null, text);

    protected override void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call) => _call.Start(call);

    protected override void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta) => _call.Append(delta);

    public override void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        FlushCall(output);
        var w = BeginObject(output);
        if (generate)
        {
            w.WriteString("response"u8, string.Empty);
        }
        else
        {
            w.WritePropertyName("message"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "assistant"u8);
            w.WriteString("content"u8, string.Empty);
            w.WriteEndObject();
        }

        OllamaResponse.WriteDone(w, Finish ?? IrFinishReason.Stop, Usage);
        w.WriteEndObject();
        EndLine(output);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
    {
        if (Done)
        {
            return;
        }

        var w = BeginLine(output);
        OllamaDialect.WriteErrorBody(w, message);
        EndLine(output);
        MarkDone();
    }

    private Utf8JsonWriter BeginObject(IBufferWriter<byte> output)
    {
        var w = BeginLine(output);
        w.WriteStartObject();
        w.WriteString("model"u8, context.Model ?? Model ?? string.Empty);
        w.WriteString("created_at"u8, _createdAt ??= OllamaResponse.Now());
        return w;
    }

    private void WriteChunk(IBufferWriter<byte> output, string? text, string? thinking)
    {
        var w = BeginObject(output);
        if (generate)
        {
            w.WriteString("response"u8, text ?? string.Empty);
            JsonWrite.StringIf(w, "thinking", thinking);
        }
        else
        {
            w.WritePropertyName("message"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "assistant"u8);
            w.WriteString("content"u8, text ?? string.Empty);
            JsonWrite.StringIf(w, "thinking", thinking);
            w.WriteEndObject();
        }

        w.WriteBoolean("done"u8, false);
        w.WriteEndObject();
        EndLine(output);
    }

    private void FlushCall(IBufferWriter<byte> output)
    {
        if (!_call.IsOpen)
        {
            return;
        }

        if (!generate)
        {
            var w = BeginObject(output);
            w.WritePropertyName("message"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "assistant"u8);
            w.WriteString("content"u8, string.Empty);
            w.WritePropertyName("tool_calls"u8);
            w.WriteStartArray();
            OllamaRequest.WriteToolCall(w, _call.Name!, _call.Arguments);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteBoolean("done"u8, false);
            w.WriteEndObject();
            EndLine(output);
        }

        _call.Close();
    }
}
