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
    private bool _done;
    private Block _open;
    private int _openToolCall = -1;
    private int _nextBlock;
    private bool _sawToolCall;
    private IrUsage? _usage;
    private IrFinishReason? _finish;

    public void Write(IrStreamEvent e, IBufferWriter<byte> output)
    {
        if (_done)
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
                WriteError(output, err.Message, err.Type);
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
        if (_done)
        {
            return;
        }

        EnsureStarted(output);
        Close(output);
        var w = BeginSse(output, "message_delta"u8);
        w.WriteStartObject();
        w.WriteString("type", "message_delta");
        w.WritePropertyName("delta");
        w.WriteStartObject();
        w.WriteString("stop_reason", FinishReasons.ToAnthropic(FinishReasons.Normalise(_finish ?? IrFinishReason.Stop, _sawToolCall)));
        w.WriteNull("stop_sequence");
        w.WriteEndObject();
        AnthropicResponse.WriteUsage(w, _usage ?? new IrUsage(context.EstimatedInputTokens ?? 0, 0));
        w.WriteEndObject();
        EndSse(output);

        w = BeginSse(output, "message_stop"u8);
        w.WriteStartObject();
        w.WriteString("type", "message_stop");
        w.WriteEndObject();
        EndSse(output);
        _done = true;
    }

    public void WriteError(IBufferWriter<byte> output, string message, string? code)
    {
        if (_done)
        {
            return;
        }

        var w = BeginSse(output, "error"u8);
        ErrorBodies.Write(w, Dialect.Anthropic, 500, message, code is null or "server_error" ? "api_error" : code);
        EndSse(output);
        _done = true;
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var w = BeginSse(output, "message_start"u8);
        w.WriteStartObject();
        w.WriteString("type", "message_start");
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("id", _id ?? Ids.NewMessageId());
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", context.Model ?? _model ?? string.Empty);
        w.WritePropertyName("content");
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteNull("stop_reason");
        w.WriteNull("stop_sequence");
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
        w.WriteString("type", "content_block_start");
        w.WriteNumber("index", _nextBlock);
        w.WritePropertyName("content_block");
        w.WriteStartObject();
        switch (kind)
        {
            case Block.Text:
                w.WriteString("type", "text");
                w.WriteString("text", string.Empty);
                break;
            case Block.Thinking:
                w.WriteString("type", "thinking");
                w.WriteString("thinking", string.Empty);
                w.WriteString("signature", string.Empty);
                break;
            default:
                w.WriteString("type", "tool_use");
                w.WriteString("id", id);
                w.WriteString("name", name);
                w.WritePropertyName("input");
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
        w.WriteString("type", "content_block_stop");
        w.WriteNumber("index", _nextBlock);
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
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", _nextBlock);
        w.WritePropertyName("delta");
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
    }

    private void WriteRedacted(IBufferWriter<byte> output, string data)
    {
        var w = BeginSse(output, "content_block_start"u8);
        w.WriteStartObject();
        w.WriteString("type", "content_block_start");
        w.WriteNumber("index", _nextBlock);
        w.WritePropertyName("content_block");
        w.WriteStartObject();
        w.WriteString("type", "redacted_thinking");
        w.WriteString("data", data);
        w.WriteEndObject();
        w.WriteEndObject();
        EndSse(output);
        w = BeginSse(output, "content_block_stop"u8);
        w.WriteStartObject();
        w.WriteString("type", "content_block_stop");
        w.WriteNumber("index", _nextBlock);
        w.WriteEndObject();
        EndSse(output);
        _nextBlock++;
    }
}
