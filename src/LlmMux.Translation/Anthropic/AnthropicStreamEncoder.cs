using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>IR events → Messages SSE. Keeps one open content block; a change of kind closes it and opens the next,
/// so the client always sees start/delta/stop in order.</summary>
internal sealed class AnthropicStreamEncoder(StreamContext context) : IrStreamEncoder
{
    private enum Block
    {
        None,
        Text,
        Thinking,
        Tool,
    }

    private bool _started;
    private Block _open;
    private int _openToolCall = -1;
    private int _nextBlock;
    private bool _sawToolCall;

    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        Open(output, Block.Text, -1, null, null);
        WriteDelta(output, "text_delta"u8, "text", text);
    }

    protected override void OnReasoning(IBufferWriter<byte> output, string text)
    {
        Open(output, Block.Thinking, -1, null, null);
        WriteDelta(output, "thinking_delta"u8, "thinking", text);
    }

    // A signature belongs to the thinking block it closes; one arriving alone gets an empty block.
    protected override void OnReasoningSignature(IBufferWriter<byte> output, string signature) => WriteSignatureBlock(output, signature);

    protected override void OnRedactedReasoning(IBufferWriter<byte> output, string data)
    {
        EnsureStarted(output);
        Close(output);
        WriteRedacted(output, data);
    }

    protected override void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call)
    {
        _sawToolCall = true;
        if (call.Signature is { } callSignature)
        {
            // A Gemini call signature rides in an empty signed thinking block just before the call, which the client
            // replays next turn and the Gemini encoder re-attaches to the call. Its own block, so it does not merge
            // into thoughts that came before.
            EnsureStarted(output);
            Close(output);
            WriteSignatureBlock(output, callSignature);
        }

        Open(output, Block.Tool, call.Index, call.Id, call.Name);
    }

    protected override void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta)
    {
        // Fragments of a call whose block is already closed cannot be re-opened (drop table).
        if (_open == Block.Tool && _openToolCall == delta.Index)
        {
            WriteDelta(output, "input_json_delta"u8, "partial_json", delta.ArgumentsFragment);
        }
    }

    private void WriteSignatureBlock(IBufferWriter<byte> output, string signature)
    {
        Open(output, Block.Thinking, -1, null, null);
        WriteDelta(output, "signature_delta"u8, "signature", signature);
        Close(output);
    }

    public override void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        EnsureStarted(output);
        Close(output);
        var w = BeginSse(output, "message_delta"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_delta"u8);
        w.WritePropertyName("delta"u8);
        w.WriteStartObject();
        w.WriteString("stop_reason"u8, Anthropic.AnthropicFinishReason.To(FinishReasons.Normalise(Finish ?? IrFinishReason.Stop, _sawToolCall)));
        w.WriteNull("stop_sequence"u8);
        w.WriteEndObject();
        AnthropicResponse.WriteUsage(w, Usage ?? new IrUsage(context.EstimatedInputTokens ?? 0, 0));
        w.WriteEndObject();
        EndSse(output);

        w = BeginSse(output, "message_stop"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_stop"u8);
        w.WriteEndObject();
        EndSse(output);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
        => WriteTerminalError(output, "error"u8, AnthropicDialect.WriteErrorBody, status, message, code, default);

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var w = BeginSse(output, "message_start"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_start"u8);
        w.WritePropertyName("message"u8);
        w.WriteStartObject();
        w.WriteString("id"u8, Id ?? Ids.NewMessageId());
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, context.Model ?? Model ?? string.Empty);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteNull("stop_reason"u8);
        w.WriteNull("stop_sequence"u8);
        var u = Usage ?? new IrUsage(context.EstimatedInputTokens ?? 0, 0);
        AnthropicResponse.WriteUsage(w, u with { OutputTokens = Math.Max(1, u.OutputTokens) });
        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
    }

    private void Open(IBufferWriter<byte> output, Block kind, int toolCall, string? id, string? name)
    {
        EnsureStarted(output);
        if (_open == kind && (kind != Block.Tool || _openToolCall == toolCall))
        {
            return;
        }

        Close(output);
        _open = kind;
        _openToolCall = toolCall;
        var w = BeginSse(output, "content_block_start"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_start"u8);
        w.WriteNumber("index"u8, _nextBlock);
        w.WritePropertyName("content_block"u8);
        w.WriteStartObject();
        switch (kind)
        {
            case Block.Text:
                w.WriteString("type"u8, "text"u8);
                w.WriteString("text"u8, string.Empty);
                break;
            case Block.Thinking:
                w.WriteString("type"u8, "thinking"u8);
                w.WriteString("thinking"u8, string.Empty);
                w.WriteString("signature"u8, string.Empty);
                break;
            default:
                w.WriteString("type"u8, "tool_use"u8);
                w.WriteString("id"u8, id);
                w.WriteString("name"u8, name);
                w.WritePropertyName("input"u8);
                w.WriteStartObject();
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (_open == Block.None)
        {
            return;
        }

        var w = BeginSse(output, "content_block_stop"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_stop"u8);
        w.WriteNumber("index"u8, _nextBlock);
        w.WriteEndObject();
        EndSse(output);
        _nextBlock++;
        _open = Block.None;
        _openToolCall = -1;
    }

    private void WriteDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> type, string field, string value)
    {
        var w = BeginSse(output, "content_block_delta"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_delta"u8);
        w.WriteNumber("index"u8, _nextBlock);
        w.WritePropertyName("delta"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
    }

    private void WriteRedacted(IBufferWriter<byte> output, string data)
    {
        var w = BeginSse(output, "content_block_start"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_start"u8);
        w.WriteNumber("index"u8, _nextBlock);
        w.WritePropertyName("content_block"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "redacted_thinking"u8);
        w.WriteString("data"u8, data);
        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
        w = BeginSse(output, "content_block_stop"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_stop"u8);
        w.WriteNumber("index"u8, _nextBlock);
        w.WriteEndObject();
        EndSse(output);
        _nextBlock++;
    }
}
