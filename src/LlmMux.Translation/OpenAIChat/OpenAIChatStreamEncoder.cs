using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>IR events → <c>chat.completion.chunk</c> SSE ending with <c>data: [DONE]</c>.</summary>
internal sealed class OpenAIChatStreamEncoder(StreamContext context) : IrStreamEncoder
{
    private readonly OpenAIChunkHeader _header = new("chat.completion.chunk");
    private bool _roleSent;
    private bool _finishSent;
    private bool _sawToolCall;

    protected override void OnStart(IBufferWriter<byte> output) => EnsureRole(output);

    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        EnsureRole(output);
        WriteDelta(output, "content", text);
    }

    protected override void OnReasoning(IBufferWriter<byte> output, string text)
    {
        EnsureRole(output);
        WriteDelta(output, "reasoning_content", text);
    }

    // Signatures and redacted reasoning have no Chat Completions field (drop table).
    protected override void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call)
    {
        EnsureRole(output);
        _sawToolCall = true;
        WriteToolCall(output, call.Index, call.Id, call.Name, string.Empty, call.Signature);
    }

    protected override void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta)
    {
        EnsureRole(output);
        WriteToolCall(output, delta.Index, null, null, delta.ArgumentsFragment, null);
    }

    protected override void OnFinish(IBufferWriter<byte> output, IrFinishReason reason)
    {
        EnsureRole(output);
        WriteFinish(output, reason);
    }

    public override void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        EnsureRole(output);
        if (!_finishSent)
        {
            WriteFinish(output, IrFinishReason.Stop);
        }

        if (Usage is { } u && context.IncludeUsage)
        {
            var w = BeginChunk(output);
            w.WritePropertyName("choices"u8);
            w.WriteStartArray();
            w.WriteEndArray();
            OpenAIChatResponse.WriteUsage(w, u);
            w.WriteEndObject();
            EndSse(output);
        }

        output.Write("data: [DONE]\n\n"u8);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
        => WriteTerminalError(output, default, OpenAIFamilyDialect.WriteErrorBody, status, message, code, "data: [DONE]\n\n"u8);

    private Utf8JsonWriter BeginChunk(IBufferWriter<byte> output)
    {
        if (!_header.IsFixed)
        {
            _header.Fix(Id ??= Ids.NewChatId(), context.Model ?? Model ?? string.Empty, NowUnix());
        }

        var w = BeginSse(output, default);
        w.WriteStartObject();
        _header.Write(w);
        _header.WriteModel(w);
        return w;
    }

    private static void BeginChoice(Utf8JsonWriter w)
    {
        w.WritePropertyName("choices"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WritePropertyName("delta"u8);
        w.WriteStartObject();
    }

    private void EndChoice(Utf8JsonWriter w, string? finish, IBufferWriter<byte> output)
    {
        w.WriteEndObject();
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
        w.WriteEndObject();
        EndSse(output);
    }

    private void EnsureRole(IBufferWriter<byte> output)
    {
        if (_roleSent)
        {
            return;
        }

        _roleSent = true;
        var w = BeginChunk(output);
        BeginChoice(w);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, string.Empty);
        EndChoice(w, null, output);
    }

    private void WriteDelta(IBufferWriter<byte> output, string field, string text)
    {
        var w = BeginChunk(output);
        BeginChoice(w);
        w.WriteString(field, text);
        EndChoice(w, null, output);
    }

    private void WriteToolCall(IBufferWriter<byte> output, int index, string? id, string? name, string args, string? signature)
    {
        var w = BeginChunk(output);
        BeginChoice(w);
        w.WritePropertyName("tool_calls"u8);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteNumber("index"u8, index);
        if (id is not null)
        {
            w.WriteString("id"u8, id);
            w.WriteString("type"u8, "function"u8);
        }

        w.WritePropertyName("function"u8);
        w.WriteStartObject();
        if (name is not null)
        {
            w.WriteString("name"u8, name);
        }

        w.WriteString("arguments"u8, args);
        w.WriteEndObject();
        OpenAIChatRequest.WriteThoughtSignature(w, signature);
        w.WriteEndObject();
        w.WriteEndArray();
        EndChoice(w, null, output);
    }

    private void WriteFinish(IBufferWriter<byte> output, IrFinishReason reason)
    {
        if (_finishSent)
        {
            return;
        }

        _finishSent = true;
        var w = BeginChunk(output);
        BeginChoice(w);
        EndChoice(w, OpenAIChat.OpenAIFinishReason.To(FinishReasons.Normalise(reason, _sawToolCall)), output);
    }
}
