using System.Buffers;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>IR events → Messages SSE. Keeps one open content block; a change of kind closes it and opens the next,
/// so the client always sees start/delta/stop in order.</summary>
internal sealed class AnthropicStreamEncoder(StreamContext context) : StreamWriterBase, IStreamEncoder
{
    private enum Block
    {
        None,
        Text,
        Thinking,
        Tool,
    }

    private string? _id;
    private string? _model;
    private bool _started;
    private Block _open;
    private int _openToolCall = -1;
    private int _nextBlock;
    private bool _sawToolCall;
    private IrUsage? _usage;
    private IrFinishReason? _finish;

    public void Write(IrStreamEvent e, IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        switch (e)
        {
            case IrStreamStart s:
                _id ??= s.Id;
                _model ??= s.Model;
                break;
            case IrUsageUpdate u:
                _usage = u.Usage;
                break;
            case IrTextDelta t:
                Open(output, Block.Text, -1, null, null);
                WriteDelta(output, "text_delta"u8, "text", t.Text);
                break;
            case IrReasoningDelta r:
                Open(output, Block.Thinking, -1, null, null);
                WriteDelta(output, "thinking_delta"u8, "thinking", r.Text);
                break;
            case IrReasoningSignature sig:
                // A signature belongs to the thinking block it closes; one arriving alone gets an empty block.
                Open(output, Block.Thinking, -1, null, null);
                WriteDelta(output, "signature_delta"u8, "signature", sig.Signature);
                Close(output);
                break;
            case IrRedactedReasoning red:
                EnsureStarted(output);
                Close(output);
                WriteRedacted(output, red.Data);
                break;
            case IrToolCallStart tc:
                _sawToolCall = true;
                if (tc.Signature is { } callSignature)
                {
                    // A Gemini call signature rides in an empty signed thinking block just before the call, which the
                    // client replays next turn and the Gemini encoder re-attaches to the call. Its own block, so it does
                    // not merge into thoughts that came before.
                    EnsureStarted(output);
                    Close(output);
                    Open(output, Block.Thinking, -1, null, null);
                    WriteDelta(output, "signature_delta"u8, "signature", callSignature);
                    Close(output);
                }

                Open(output, Block.Tool, tc.Index, tc.Id, tc.Name);
                break;
            case IrToolCallDelta td:
                // Fragments of a call whose block is already closed cannot be re-opened (drop table).
                if (_open == Block.Tool && _openToolCall == td.Index)
                {
                    WriteDelta(output, "input_json_delta"u8, "partial_json", td.ArgumentsFragment);
                }

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
                break;
        }
    }

    public void Complete(IBufferWriter<byte> output)
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
        w.WriteString("stop_reason"u8, Anthropic.AnthropicFinishReason.To(FinishReasons.Normalise(_finish ?? IrFinishReason.Stop, _sawToolCall)));
        w.WriteNull("stop_sequence"u8);
        w.WriteEndObject();
        AnthropicResponse.WriteUsage(w, _usage ?? new IrUsage(context.EstimatedInputTokens ?? 0, 0));
        w.WriteEndObject();
        EndSse(output);

        w = BeginSse(output, "message_stop"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_stop"u8);
        w.WriteEndObject();
        EndSse(output);
        MarkDone();
    }

    public void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
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
        w.WriteString("id"u8, _id ?? Ids.NewMessageId());
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, context.Model ?? _model ?? string.Empty);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteNull("stop_reason"u8);
        w.WriteNull("stop_sequence"u8);
        var u = _usage ?? new IrUsage(context.EstimatedInputTokens ?? 0, 0);
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
