using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>Messages SSE (message_start … message_stop) → IR events.</summary>
internal sealed class AnthropicStreamDecoder : IStreamDecoder, IFrameHandler
{
    private readonly SseFramer _framer = new();
    private readonly List<int> _blockToCall = []; // content block index → IR tool-call index (-1: not a tool block)
    private IIrEventSink? _sink;
    private bool _ended;
    private int _calls;
    private IrUsage _usage = new(0, 0);

    public void Feed(ReadOnlySpan<byte> chunk, IIrEventSink sink)
    {
        _sink = sink;
        _framer.Feed(chunk, this);
    }

    public void Complete(IIrEventSink sink)
    {
        _sink = sink;
        try
        {
            _framer.Complete(this);
        }
        catch (TranslationException ex) when (ex.Kind == TranslationErrorKind.InvalidJson)
        {
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended inside an event", ex);
        }

        if (!_ended)
        {
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended before message_stop");
        }
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = _sink!;
        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        switch (root.Str("type"))
        {
            case "message_start":
                var msg = root.Obj("message") ?? throw TranslationException.Missing("message");
                sink.OnEvent(new IrStreamStart(msg.Str("id"), msg.Str("model")));
                if (AnthropicResponse.DecodeUsage(msg.Obj("usage")) is { } startUsage)
                {
                    _usage = startUsage;
                    sink.OnEvent(new IrUsageUpdate(_usage));
                }

                break;
            case "content_block_start":
                StartBlock(root.Int("index") ?? _blockToCall.Count, root.Obj("content_block") ?? throw TranslationException.Missing("content_block"), sink);
                break;
            case "content_block_delta":
                Delta(root.Int("index") ?? 0, root.Obj("delta") ?? throw TranslationException.Missing("delta"), sink);
                break;
            case "message_delta":
                // message_delta usage is cumulative; input fields may be absent here, so keep the start values.
                if (root.Obj("usage") is { } u)
                {
                    long cacheRead = u.Long("cache_read_input_tokens") ?? _usage.CachedInputTokens;
                    long input = u.Long("input_tokens") is { } i
                        ? i + cacheRead + (u.Long("cache_creation_input_tokens") ?? 0)
                        : _usage.InputTokens;
                    _usage = new IrUsage(input, u.Long("output_tokens") ?? _usage.OutputTokens, cacheRead);
                    sink.OnEvent(new IrUsageUpdate(_usage));
                }

                if (root.Obj("delta")?.Str("stop_reason") is { } sr)
                {
                    sink.OnEvent(new IrFinish(FinishReasons.Normalise(FinishReasons.FromAnthropic(sr), _calls > 0)));
                }

                break;
            case "message_stop":
                if (!_ended)
                {
                    _ended = true;
                    sink.OnEvent(IrStreamEnd.Instance);
                }

                break;
            case "error":
                var err = root.Obj("error");
                sink.OnEvent(new IrStreamError(err?.Str("message") ?? "upstream error", err?.Str("type")));
                break;
            default:
                break; // ping, content_block_stop (blocks close implicitly in IR)
        }
    }

    private void StartBlock(int index, JsonElement block, IIrEventSink sink)
    {
        while (_blockToCall.Count <= index)
        {
            _blockToCall.Add(-1);
        }

        switch (block.Str("type"))
        {
            case "tool_use":
            case "server_tool_use":
                int call = _calls++;
                _blockToCall[index] = call;
                sink.OnEvent(new IrToolCallStart(call, block.ReqStr("id"), block.ReqStr("name")));
                // Input normally streams as input_json_delta; a non-empty start object is the whole input.
                if (block.TryProp("input", out var input) && input.ValueKind == JsonValueKind.Object && input.EnumerateObject().Any())
                {
                    sink.OnEvent(new IrToolCallDelta(call, input.GetRawText()));
                }

                break;
            case "text":
                if (block.Str("text") is { Length: > 0 } t)
                {
                    sink.OnEvent(new IrTextDelta(t));
                }

                break;
            case "thinking":
                if (block.Str("thinking") is { Length: > 0 } th)
                {
                    sink.OnEvent(new IrReasoningDelta(th));
                }

                break;
            case "redacted_thinking":
                sink.OnEvent(new IrRedactedReasoning(block.ReqStr("data")));
                break;
            default:
                break;
        }
    }

    private void Delta(int index, JsonElement delta, IIrEventSink sink)
    {
        switch (delta.Str("type"))
        {
            case "text_delta":
                if (delta.Str("text") is { Length: > 0 } t)
                {
                    sink.OnEvent(new IrTextDelta(t));
                }

                break;
            case "input_json_delta":
                if (index < _blockToCall.Count && _blockToCall[index] >= 0 && delta.Str("partial_json") is { Length: > 0 } pj)
                {
                    sink.OnEvent(new IrToolCallDelta(_blockToCall[index], pj));
                }

                break;
            case "thinking_delta":
                if (delta.Str("thinking") is { Length: > 0 } th)
                {
                    sink.OnEvent(new IrReasoningDelta(th));
                }

                break;
            case "signature_delta":
                if (delta.Str("signature") is { Length: > 0 } sig)
                {
                    sink.OnEvent(new IrReasoningSignature(sig));
                }

                break;
            default:
                break; // citations_delta: drop table
        }
    }

    public void Dispose() => _framer.Dispose();
}
