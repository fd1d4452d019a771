using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>Responses SSE (response.created … response.completed) → IR events.</summary>
internal sealed class ResponsesStreamDecoder(int maxEventBytes) : FramedStreamDecoder(new SseFramer(maxEventBytes))
{
    private readonly List<bool> _streamed = [];                  // IR call index → argument deltas seen
    private readonly Dictionary<int, int> _callAt = [];          // output index → latest IR call there (a scan per delta would be quadratic)

    protected override string MissingEnd => "stream ended before response.completed";

    public override void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        if (IsDone(data))
        {
            return; // some proxies append the Chat Completions terminator
        }

        var sink = Sink;
        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        switch (root.Str("type"u8))
        {
            case "response.created":
                var created = root.Obj("response"u8) ?? throw TranslationException.Missing("response");
                sink.OnEvent(new IrStreamStart(created.Str("id"u8), created.Str("model"u8)));
                break;
            case "response.output_item.added":
                var item = root.Obj("item"u8) ?? throw TranslationException.Missing("item");
                if (item.Str("type"u8) == "function_call")
                {
                    int added = _streamed.Count;
                    _callAt[root.Int("output_index"u8) ?? added] = added;
                    _streamed.Add(false);
                    sink.OnEvent(new IrToolCallStart(added, item.ReqStr("call_id"u8), item.ReqStr("name"u8)));
                }

                break;
            case "response.output_text.delta":
            case "response.refusal.delta":
                if (root.Str("delta"u8) is { Length: > 0 } text)
                {
                    sink.OnEvent(new IrTextDelta(text));
                }

                break;
            case "response.reasoning_summary_text.delta":
            case "response.reasoning_text.delta":
                if (root.Str("delta"u8) is { Length: > 0 } thought)
                {
                    sink.OnEvent(new IrReasoningDelta(thought));
                }

                break;
            case "response.function_call_arguments.delta":
                int call = CallOf(root.Int("output_index"u8));
                if (call >= 0 && root.Str("delta"u8) is { Length: > 0 } args)
                {
                    _streamed[call] = true;
                    sink.OnEvent(new IrToolCallDelta(call, args));
                }

                break;
            case "response.output_item.done":
                var done = root.Obj("item"u8) ?? throw TranslationException.Missing("item");
                if (done.Str("type"u8) == "reasoning" && done.Str("encrypted_content"u8) is { } enc)
                {
                    sink.OnEvent(new IrReasoningSignature(enc));
                }
                else if (done.Str("type"u8) == "function_call")
                {
                    // Servers that skip argument deltas deliver the arguments only here.
                    int idx = CallOf(root.Int("output_index"u8));
                    if (idx >= 0 && !_streamed[idx] && done.Str("arguments"u8) is { Length: > 0 } all)
                    {
                        _streamed[idx] = true;
                        sink.OnEvent(new IrToolCallDelta(idx, all));
                    }
                }

                break;
            case "response.completed":
            case "response.incomplete":
            case "response.failed":
                var resp = root.Obj("response"u8) ?? throw TranslationException.Missing("response");
                if (resp.Obj("error"u8) is { } error)
                {
                    sink.OnEvent(new IrStreamError(error.Str("message"u8) ?? "response failed", error.Str("code"u8)));
                }

                if (ResponsesResponse.DecodeUsage(resp.Obj("usage"u8)) is { } usage)
                {
                    sink.OnEvent(new IrUsageUpdate(usage));
                }

                sink.OnEvent(new IrFinish(OpenAIResponses.ResponsesFinishReason.From(resp.Str("status"u8), resp.Obj("incomplete_details"u8)?.Str("reason"u8), _streamed.Count > 0)));
                Ended = true;
                sink.OnEvent(IrStreamEnd.Instance);
                break;
            case "error":
                Ended = true; // an error event ends the stream
                sink.OnEvent(new IrStreamError(root.Str("message"u8) ?? "upstream error", root.Str("code"u8)));
                break;
            default:
                break; // in_progress, content_part.*, *.done duplicates of the deltas
        }
    }

    /// <summary>The latest call at <paramref name="outputIndex"/> (the latest call at all when the event has none), or -1.</summary>
    private int CallOf(int? outputIndex) =>
        outputIndex is { } at ? _callAt.GetValueOrDefault(at, -1) : _streamed.Count - 1;
}
