using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>IR events → streamGenerateContent SSE chunks (optionally Code Assist wrapped). Gemini clients expect a
/// function call whole, so argument fragments are collected until the call is complete; text is sent as it comes.</summary>
internal sealed class GeminiStreamEncoder(StreamContext context, bool envelope) : StreamWriterBase, IStreamEncoder
{
    private readonly StringBuilder _args = new();
    private string? _id;
    private string? _model;
    private int _openCall = -1;
    private string? _callId;
    private string? _callName;
    private string? _callSig;
    private string? _pendingSig;
    private IrUsage? _usage;
    private IrFinishReason? _finish;
    private int _frames;

    public void Write(IrStreamEvent e, IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        if (e is not IrToolCallDelta && e is not IrUsageUpdate && e is not IrFinish)
        {
            FlushCall(output);
        }

        switch (e)
        {
            case IrStreamStart s:
                _id ??= s.Id;
                _model ??= s.Model;
                break;
            case IrTextDelta t:
                WriteText(output, t.Text, false);
                break;
            case IrReasoningDelta r:
                WriteText(output, r.Text, true);
                break;
            case IrReasoningSignature sig:
                // Gemini carries signatures on the next part (text or functionCall); hold it until one comes.
                _pendingSig = sig.Signature;
                break;
            case IrToolCallStart tc:
                _openCall = tc.Index;
                _callId = tc.Id;
                _callName = tc.Name;
                _callSig = tc.Signature ?? _pendingSig;
                _pendingSig = null;
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
                break; // redacted reasoning has no Gemini form (drop table)
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        FlushCall(output);
        var w = BeginChunk(output);
        w.WriteStartObject();
        w.WritePropertyName("content"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "model"u8);
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        GeminiResponse.WriteTextPart(w, string.Empty, false, _pendingSig);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("finishReason"u8, Gemini.GeminiFinishReason.To(_finish ?? IrFinishReason.Stop));
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        EndChunk(w, output, withUsage: true);
        CloseArray(output);
        MarkDone();
    }

    public void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
    {
        if (Done)
        {
            return;
        }

        var w = BeginFrame(output);
        GeminiDialect.WriteErrorBody(w, status, message, code);
        EndFrame(output);
        CloseArray(output);
        MarkDone();
    }

    private void FlushCall(IBufferWriter<byte> output)
    {
        if (_openCall < 0)
        {
            return;
        }

        var w = BeginChunk(output);
        w.WriteStartObject();
        w.WritePropertyName("content"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "model"u8);
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        GeminiResponse.WriteCallPart(w, new IrToolCall(_callId!, _callName!, _args.ToString()), _callSig);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        EndChunk(w, output, withUsage: false);
        _openCall = -1;
        _args.Clear();
    }

    private void WriteText(IBufferWriter<byte> output, string text, bool thought)
    {
        var w = BeginChunk(output);
        w.WriteStartObject();
        w.WritePropertyName("content"u8);
        w.WriteStartObject();
        w.WriteString("role"u8, "model"u8);
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        GeminiResponse.WriteTextPart(w, text, thought, _pendingSig);
        _pendingSig = null;
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        EndChunk(w, output, withUsage: false);
    }

    /// <summary>SSE <c>data:</c> frame, or the next element of a JSON array.</summary>
    private Utf8JsonWriter BeginFrame(IBufferWriter<byte> output)
    {
        if (!context.GeminiJsonArray)
        {
            return BeginSse(output, default);
        }

        output.Write(_frames++ == 0 ? "["u8 : ",\r\n"u8);
        return BeginRaw(output);
    }

    private void EndFrame(IBufferWriter<byte> output)
    {
        if (context.GeminiJsonArray)
        {
            EndRaw();
        }
        else
        {
            EndSse(output);
        }
    }

    private void CloseArray(IBufferWriter<byte> output)
    {
        if (context.GeminiJsonArray)
        {
            output.Write(_frames == 0 ? "[]"u8 : "]"u8);
        }
    }

    /// <summary>Opens the chunk up to the first candidate object.</summary>
    private Utf8JsonWriter BeginChunk(IBufferWriter<byte> output)
    {
        var w = BeginFrame(output);
        w.WriteStartObject();
        if (envelope)
        {
            w.WritePropertyName("response"u8);
            w.WriteStartObject();
        }

        w.WritePropertyName("candidates"u8);
        w.WriteStartArray();
        return w;
    }

    private void EndChunk(Utf8JsonWriter w, IBufferWriter<byte> output, bool withUsage)
    {
        w.WriteEndArray();
        if (withUsage && _usage is { } u)
        {
            GeminiResponse.WriteUsage(w, u);
        }

        w.WriteString("modelVersion"u8, context.Model ?? _model ?? string.Empty);
        w.WriteString("responseId"u8, _id ??= Guid.NewGuid().ToString("N")[..22]);
        if (envelope)
        {
            w.WriteEndObject();
        }

        w.WriteEndObject();
        EndFrame(output);
    }
}
