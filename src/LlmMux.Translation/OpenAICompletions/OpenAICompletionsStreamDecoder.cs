using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAICompletions;

/// <summary><c>text_completion</c> SSE chunks → IR events.</summary>
internal sealed class OpenAICompletionsStreamDecoder(int maxEventBytes) : FramedStreamDecoder(new SseFramer(maxEventBytes))
{
    private bool _started;

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

        using var doc = JsonRead.Parse(data);
        var root = JsonRead.RootObject(doc);
        if (root.TryProp("error", out var err))
        {
            Finished = Ended = true; // an error chunk ends the stream
            sink.OnEvent(new IrStreamError(
                err.ValueKind == JsonValueKind.Object ? err.Str("message") ?? err.GetRawText() : err.ToString(),
                err.ValueKind == JsonValueKind.Object ? err.Str("type") : null));
            return;
        }

        if (!_started)
        {
            _started = true;
            sink.OnEvent(new IrStreamStart(root.Str("id"), root.Str("model")));
        }

        foreach (var choice in root.Arr("choices"))
        {
            choice.ExpectObject("choices[]");
            if ((choice.Long("index") ?? 0) != 0)
            {
                continue; // n > 1 is not translated (drop table)
            }

            if (choice.Str("text") is { Length: > 0 } text)
            {
                sink.OnEvent(new IrTextDelta(text));
            }

            if (choice.Str("finish_reason") is { } fr)
            {
                Finished = true;
                sink.OnEvent(new IrFinish(OpenAIChat.OpenAIFinishReason.From(fr)));
            }
        }

        // vLLM puts usage on the finishing chunk, OpenAI on a separate choices:[] chunk; both are handled here.
        if (OpenAIChat.OpenAIChatResponse.DecodeUsage(root.Obj("usage")) is { } usage)
        {
            sink.OnEvent(new IrUsageUpdate(usage));
        }
    }
}
