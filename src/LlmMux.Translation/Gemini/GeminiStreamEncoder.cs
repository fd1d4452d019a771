using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>IR events → streamGenerateContent SSE chunks (optionally Code Assist wrapped). Gemini clients expect a
/// function call whole, so argument fragments are collected until the call is complete; text is sent as it comes.</summary>
internal sealed class GeminiStreamEncoder(StreamContext context, bool envelope) : IrStreamEncoder
{
    private readonly BufferedToolCall _call = new();
    private string? _callSig;
    private string? _pendingSig;
    private int _frames;

    protected override void BeforeEvent(IBufferWriter<byte> output, IrStreamEvent e)
    {
        if (BufferedToolCall.EndsCall(e))
        {
            FlushCall(output);
        }
    }

    protected override void OnText(IBufferWriter<byte> output, string text) => WriteText(output, text, false);

    protected override void OnReasoning(IBufferWriter<byte> output, string text) => WriteText(output, text, true);

    // Gemini carries signatures on the next part (text or functionCall); hold it until one comes.
    protected override void OnReasoningSignature(IBufferWriter<byte> output, string signature) => _pendingSig = signature;

    protected override void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call)
    {
        _call.Start(call);
        _callSig = call.Signature ?? _pendingSig;
        _pendingSig = null;
    }

    protected override void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta) => _call.Append(delta);

    public override void Complete(IBufferWriter<byte> output)
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
        w.WriteString("finishReason"u8, Gemini.GeminiFinishReason.To(Finish ?? IrFinishReason.Stop));
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        EndChunk(w, output, withUsage: true);
        CloseArray(output);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
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
        if (!_call.IsOpen)
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
        GeminiResponse.WriteCallPart(w, new IrToolCall(_call.Id!, _call.Name!, _call.Arguments), _callSig);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        EndChunk(w, output, withUsage: false);
        _call.Close();
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
        if (withUsage && Usage is { } u)
        {
            GeminiResponse.WriteUsage(w, u);
        }

        w.WriteString("modelVersion"u8, context.Model ?? Model ?? string.Empty);
        w.WriteString("responseId"u8, Id ??= Guid.NewGuid().ToString("N")[..22]);
        if (envelope)
        {
            w.WriteEndObject();
        }

        w.WriteEndObject();
        EndFrame(output);
    }
}
