using LlmMux.Gateway.Errors;
using LlmMux.Translation;

namespace LlmMux.Gateway.Streaming;

/// <summary>
/// The stream error events a relayed stream may need to end with, in the client's dialect: rendered only when one is
/// needed, which for nearly every stream is never.
/// </summary>
internal sealed class StreamErrorEvents(Dialect dialect)
{
    public byte[] Broken() => ApiErrorWriter.RenderStreamError(dialect,
        new ApiError(502, "upstream_stream_broken", "The upstream connection broke while streaming; the answer above is incomplete."));

    public byte[] Stalled() => ApiErrorWriter.RenderStreamError(dialect,
        new ApiError(504, "upstream_stream_stalled", "The upstream sent nothing for longer than routing.upstream-idle-timeout; the answer above is incomplete."));

    /// <param name="closeLine">The client already has the start of the oversized event: end that line first, so the error parses as an event of its own.</param>
    public byte[] TooLarge(bool closeLine)
    {
        var error = ApiErrorWriter.RenderStreamError(dialect, new ApiError(502, "upstream_event_too_large",
            $"The upstream sent a stream event larger than llm-mux relays ({TranslatorOptions.DefaultMaxEventBytes / (1024 * 1024)} MiB); the answer above is incomplete."));
        if (!closeLine)
        {
            return error;
        }

        // SSE ends an event with a blank line; NDJSON readers (ollama-python) choke on an empty line, so one newline there.
        var prefix = Dialects.Get(dialect).StreamFraming == StreamFraming.Ndjson ? 1 : 2;
        var bytes = new byte[error.Length + prefix];
        bytes.AsSpan(0, prefix).Fill((byte)'\n');
        error.CopyTo(bytes, prefix);
        return bytes;
    }
}
