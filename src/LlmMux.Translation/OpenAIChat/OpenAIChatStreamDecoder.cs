using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary><c>chat.completion.chunk</c> SSE → IR events.</summary>
internal sealed class OpenAIChatStreamDecoder(int maxEventBytes) : FramedStreamDecoder(new SseFramer(maxEventBytes))
{
    private bool _started;
    private bool _sawToolCall;

    // OpenAI tool-call index → IR index. A map, not a scanned list: one chunk may carry any number of calls.
    private readonly Dictionary<int, int> _toolIndices = [];

    protected override string MissingEnd => "stream ended before finish_reason / [DONE]";

    protected override bool MayEndWithoutTerminator => true;

    public override void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = Sink;
        if (IsDone(data))
        {
            End();
            return;
        }

        // Most chunks only carry a content delta; after the first one they need no document at all.
        if (_started && OpenAIChatFastScan.TryContent(data.Span, out string? content, out string? reasoning))
        {
            if (!string.IsNullOrEmpty(reasoning))
            {
                sink.OnEvent(new IrReasoningDelta(reasoning));
            }

            if (!string.IsNullOrEmpty(content))
            {
                sink.OnEvent(new IrTextDelta(content));
            }

            return;
        }

        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.TryProp("error"u8, out var err))
        {
            Finished = Ended = true; // an error chunk ends the stream
            sink.OnEvent(new IrStreamError(
                err.ValueKind == JsonValueKind.Object ? err.Str("message"u8) ?? err.GetRawText() : err.ToString(),
                err.ValueKind == JsonValueKind.Object ? err.Str("type"u8) : null));
            return;
        }

        if (!_started)
        {
            _started = true;
            sink.OnEvent(new IrStreamStart(root.Str("id"u8), root.Str("model"u8)));
        }

        foreach (var choice in root.Arr("choices"u8))
        {
            choice.ExpectObject("choices[]");
            if ((choice.Long("index"u8) ?? 0) != 0)
            {
                continue; // n > 1 is not translated (drop table)
            }

            if (choice.Obj("delta"u8) is { } delta)
            {
                DecodeDelta(delta, sink);
            }

            if (choice.Str("finish_reason"u8) is { } fr)
            {
                Finished = true;
                sink.OnEvent(new IrFinish(FinishReasons.Normalise(OpenAIChat.OpenAIFinishReason.From(fr), _sawToolCall)));
            }
        }

        if (OpenAIChatResponse.DecodeUsage(root.Obj("usage"u8)) is { } usage)
        {
            sink.OnEvent(new IrUsageUpdate(usage));
        }
    }

    private void DecodeDelta(JsonElement delta, IIrEventSink sink)
    {
        if (delta.TryProp("reasoning_content"u8, out var rc) && rc.ValueKind == JsonValueKind.String && rc.GetString() is { Length: > 0 } r1)
        {
            sink.OnEvent(new IrReasoningDelta(r1));
        }
        else if (delta.TryProp("reasoning"u8, out var rr) && rr.ValueKind == JsonValueKind.String && rr.GetString() is { Length: > 0 } r2)
        {
            sink.OnEvent(new IrReasoningDelta(r2));
        }

        if (delta.Str("content"u8) is { Length: > 0 } text)
        {
            sink.OnEvent(new IrTextDelta(text));
        }

        if (delta.Str("refusal"u8) is { Length: > 0 } refusal)
        {
            sink.OnEvent(new IrTextDelta(refusal));
        }

        int position = 0;
        foreach (var tc in delta.Arr("tool_calls"u8))
        {
            tc.ExpectObject("tool_calls[]");
            int openAiIndex = tc.Int("index"u8) ?? position;
            position++;
            var f = tc.Obj("function"u8);
            if (!_toolIndices.TryGetValue(openAiIndex, out int irIndex))
            {
                irIndex = _toolIndices.Count;
                _toolIndices.Add(openAiIndex, irIndex);
                _sawToolCall = true;
                sink.OnEvent(new IrToolCallStart(irIndex, tc.Str("id"u8) ?? Ids.NewCallId(), f?.Str("name"u8) ?? string.Empty, OpenAIChatRequest.ThoughtSignatureOf(tc)));
            }

            if (f?.Str("arguments"u8) is { Length: > 0 } args)
            {
                sink.OnEvent(new IrToolCallDelta(irIndex, args));
            }
        }
    }
}
