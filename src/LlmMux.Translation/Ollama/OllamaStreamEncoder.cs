using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>IR events → Ollama NDJSON. Ollama clients get each tool call whole, so argument fragments are collected
/// until the call is complete.</summary>
internal sealed class OllamaStreamEncoder(StreamContext context, bool generate) : StreamWriterBase, IStreamEncoder
{
    private readonly StringBuilder _args = new();
    private string? _model;
    private string? _createdAt;
    private int _openCall = -1;
    private string? _callName;
    private IrUsage? _usage;
    private IrFinishReason? _finish;

    public void Write(IrStreamEvent e, IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        if (e is not IrToolCallDelta and not IrUsageUpdate and not IrFinish)
        {
            FlushCall(output);
        }

        switch (e)
        {
            case IrStreamStart s:
                _model ??= s.Model;
                break;
            case IrTextDelta t:
                WriteChunk(output, t.Text, null);
                break;
            case IrReasoningDelta r:
                WriteChunk(output, null, r.Text);
                break;
            case IrToolCallStart tc:
                _openCall = tc.Index;
                _callName = tc.Name;
                _args.Clear();
                break;
            case IrToolCallDelta td:
                if (td.Index == _openCall)
                {
                    _args.Append(td.ArgumentsFragment);
                }

                break;
            case IrUsageUpdate u:
                _usage = u.Usage;
                break;
            case IrFinish f:
                _finish = f.Reason;
                break;
            case IrStreamError err:
                WriteError(output, 500, err.Message, err.Type);
                break;
            case IrStreamEnd:
                Complete(output);
                break;
            default:
                break; // signatures / redacted reasoning: drop table
        }
    }

    public void Complete(IBufferWriter<byte> output)
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

        OllamaResponse.WriteDone(w, _finish ?? IrFinishReason.Stop, _usage);
        w.WriteEndObject();
        EndLine(output);
        MarkDone();
    }

    public void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
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
        w.WriteString("model"u8, context.Model ?? _model ?? string.Empty);
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
        if (_openCall < 0)
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
            OllamaRequest.WriteToolCall(w, _callName!, _args.ToString());
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteBoolean("done"u8, false);
            w.WriteEndObject();
            EndLine(output);
        }

        _openCall = -1;
        _args.Clear();
    }
}
