using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>Messages SSE (message_start … message_stop) → IR events.</summary>
internal sealed class AnthropicStreamDecoder(int maxEventBytes) : FramedStreamDecoder(new SseFramer(maxEventBytes))
{
    private const int MaxBlockGap = 1024;

    private readonly List<int> _blockToCall = []; // content block index → IR tool-call index (-1: not a tool block)
    private int _calls;
    private IrUsage _usage = new(0, 0);

    protected override string MissingEnd => "stream ended before message_stop";

    public override void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = Sink;
        if (AnthropicFastScan.TryDelta(data.Span, out int fastIndex, out var kind, out string? value))
        {
            FastDelta(fastIndex, kind, value, sink);
            return;
        }

        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        // Type strings are compared in place: this runs once per streamed token.
        if (root.Is("type"u8, "content_block_delta"u8))
        {
            Delta(root.Int("index"u8) ?? 0, root.Obj("delta"u8) ?? throw TranslationException.Missing("delta"), sink);
        }
        else if (root.Is("type"u8, "content_block_start"u8))
        {
            StartBlock(root.Int("index"u8) ?? _blockToCall.Count, root.Obj("content_block"u8) ?? throw TranslationException.Missing("content_block"), sink);
        }
        else if (root.Is("type"u8, "message_start"u8))
        {
            var msg = root.Obj("message"u8) ?? throw TranslationException.Missing("message");
            sink.OnEvent(new IrStreamStart(msg.Str("id"u8), msg.Str("model"u8)));
            if (AnthropicResponse.DecodeUsage(msg.Obj("usage"u8)) is { } startUsage)
            {
                _usage = startUsage;
                sink.OnEvent(new IrUsageUpdate(_usage));
            }
        }
        else if (root.Is("type"u8, "message_delta"u8))
        {
            if (root.Obj("usage"u8) is { } u)
            {
                _usage = AnthropicResponse.MergeDeltaUsage(_usage, u);
                sink.OnEvent(new IrUsageUpdate(_usage));
            }

            if (root.Obj("delta"u8)?.Str("stop_reason"u8) is { } sr)
            {
                sink.OnEvent(new IrFinish(FinishReasons.Normalise(Anthropic.AnthropicFinishReason.From(sr), _calls > 0)));
            }
        }
        else if (root.Is("type"u8, "message_stop"u8))
        {
            End();
        }
        else if (root.Is("type"u8, "error"u8))
        {
            var err = root.Obj("error"u8);
            // An error event ends the upstream stream; the client gets it instead of a terminator.
            Ended = true;
            sink.OnEvent(new IrStreamError(err?.Str("message"u8) ?? "upstream error", err?.Str("type"u8)));
        }
        else if (root.TryProp("type"u8, out var type) && type.ValueKind != JsonValueKind.String)
        {
            throw TranslationException.Type("type", "a string");
        }

        // ping, content_block_stop and unknown future events need nothing: blocks close implicitly in IR.
    }

    private void FastDelta(int index, AnthropicDeltaKind kind, string? value, IIrEventSink sink)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        switch (kind)
        {
            case AnthropicDeltaKind.Text:
                sink.OnEvent(new IrTextDelta(value));
                break;
            case AnthropicDeltaKind.Thinking:
                sink.OnEvent(new IrReasoningDelta(value));
                break;
            case AnthropicDeltaKind.Signature:
                sink.OnEvent(new IrReasoningSignature(value));
                break;
            case AnthropicDeltaKind.InputJson when index < _blockToCall.Count && _blockToCall[index] >= 0:
                sink.OnEvent(new IrToolCallDelta(_blockToCall[index], value));
                break;
            default:
                break;
        }
    }

    private void StartBlock(int index, JsonElement block, IIrEventSink sink)
    {
        // Blocks are numbered 0, 1, 2…; the list is filled up to the index, so an absurd one must not size it.
        if (index < 0 || index > _blockToCall.Count + MaxBlockGap)
        {
            throw TranslationException.Type("content_block_start.index", "the next content block number");
        }

        while (_blockToCall.Count <= index)
        {
            _blockToCall.Add(-1);
        }

        switch (block.Str("type"u8))
        {
            // server_tool_use (web search, code execution) runs at Anthropic: the client must not see a call to execute.
            case "tool_use":
                int call = _calls++;
                _blockToCall[index] = call;
                sink.OnEvent(new IrToolCallStart(call, block.ReqStr("id"u8), block.ReqStr("name"u8)));
                // Input normally streams as input_json_delta; a non-empty start object is the whole input.
                if (block.TryProp("input"u8, out var input) && input.ValueKind == JsonValueKind.Object && input.EnumerateObject().Any())
                {
                    sink.OnEvent(new IrToolCallDelta(call, input.GetRawText()));
                }

                break;
            case "text":
                if (block.Str("text"u8) is { Length: > 0 } t)
                {
                    sink.OnEvent(new IrTextDelta(t));
                }

                break;
            case "thinking":
                if (block.Str("thinking"u8) is { Length: > 0 } th)
                {
                    sink.OnEvent(new IrReasoningDelta(th));
                }

                break;
            case "redacted_thinking":
                sink.OnEvent(new IrRedactedReasoning(block.ReqStr("data"u8)));
                break;
            default:
                break;
        }
    }

    private void Delta(int index, JsonElement delta, IIrEventSink sink)
    {
        if (delta.Is("type"u8, "text_delta"u8))
        {
            if (delta.Str("text"u8) is { Length: > 0 } t)
            {
                sink.OnEvent(new IrTextDelta(t));
            }
        }
        else if (delta.Is("type"u8, "input_json_delta"u8))
        {
            if (index < _blockToCall.Count && _blockToCall[index] >= 0 && delta.Str("partial_json"u8) is { Length: > 0 } pj)
            {
                sink.OnEvent(new IrToolCallDelta(_blockToCall[index], pj));
            }
        }
        else if (delta.Is("type"u8, "thinking_delta"u8))
        {
            if (delta.Str("thinking"u8) is { Length: > 0 } th)
            {
                sink.OnEvent(new IrReasoningDelta(th));
            }
        }
        else if (delta.Is("type"u8, "signature_delta"u8))
        {
            if (delta.Str("signature"u8) is { Length: > 0 } sig)
            {
                sink.OnEvent(new IrReasoningSignature(sig));
            }
        }

        // citations_delta and unknown deltas: drop table
    }
}
