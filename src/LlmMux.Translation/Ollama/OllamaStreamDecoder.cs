using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama NDJSON stream → IR events; the object with <c>done: true</c> carries reason and counts.</summary>
internal sealed class OllamaStreamDecoder(bool generate, int maxEventBytes) : FramedStreamDecoder(new NdjsonFramer(maxEventBytes))
{
    private bool _started;
    private int _calls;

    protected override string MissingEnd => "stream ended before done:true";

    protected override string InsideEvent => "stream ended inside an object";

    public override void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = Sink;
        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.Str("error"u8) is { } error)
        {
            Ended = true; // an error line ends the stream
            sink.OnEvent(new IrStreamError(error));
            return;
        }

        if (!_started)
        {
            _started = true;
            sink.OnEvent(new IrStreamStart(null, root.Str("model"u8)));
        }

        var holder = generate ? root : root.Obj("message"u8);
        if (holder is { } h)
        {
            if (h.Str("thinking"u8) is { Length: > 0 } thinking)
            {
                sink.OnEvent(new IrReasoningDelta(thinking));
            }

            if (h.Str(generate ? "response" : "content") is { Length: > 0 } text)
            {
                sink.OnEvent(new IrTextDelta(text));
            }

            foreach (var tc in h.Arr("tool_calls"u8))
            {
                tc.ExpectObject("tool_calls[]");
                var f = tc.Obj("function"u8) ?? throw TranslationException.Missing("tool_calls[].function");
                int index = _calls++;
                sink.OnEvent(new IrToolCallStart(index, tc.Str("id"u8) ?? Ids.NewCallId(), f.ReqStr("name"u8)));
                sink.OnEvent(new IrToolCallDelta(index, OpenAIChat.OpenAIChatRequest.ArgumentsOf(f)));
            }
        }

        if (root.Bool("done"u8) is true && !Ended)
        {
            if (OllamaResponse.DecodeUsage(root) is { } usage)
            {
                sink.OnEvent(new IrUsageUpdate(usage));
            }

            sink.OnEvent(new IrFinish(FinishReasons.Normalise(Ollama.OllamaFinishReason.From(root.Str("done_reason"u8)), _calls > 0)));
            Ended = true;
            sink.OnEvent(IrStreamEnd.Instance);
        }
    }
}
