using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Ollama;

/// <summary>Ollama NDJSON stream → IR events; the object with <c>done: true</c> carries reason and counts.</summary>
internal sealed class OllamaStreamDecoder(bool generate, int maxEventBytes) : IStreamDecoder, IFrameHandler
{
    private readonly NdjsonFramer _framer = new(maxEventBytes);
    private IIrEventSink? _sink;
    private bool _started;
    private bool _ended;
    private int _calls;

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
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended inside an object", ex);
        }

        if (!_ended)
        {
            throw new TranslationException(TranslationErrorKind.TruncatedStream, "stream ended before done:true");
        }
    }

    public void OnFrame(ReadOnlySpan<byte> eventName, ReadOnlyMemory<byte> data)
    {
        var sink = _sink!;
        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.Str("error"u8) is { } error)
        {
            _ended = true; // an error line ends the stream
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

        if (root.Bool("done"u8) is true && !_ended)
        {
            if (OllamaResponse.DecodeUsage(root) is { } usage)
            {
                sink.OnEvent(new IrUsageUpdate(usage));
            }

            sink.OnEvent(new IrFinish(FinishReasons.Normalise(Ollama.OllamaFinishReason.From(root.Str("done_reason"u8)), _calls > 0)));
            _ended = true;
            sink.OnEvent(IrStreamEnd.Instance);
        }
    }

    public void Dispose() => _framer.Dispose();
}
