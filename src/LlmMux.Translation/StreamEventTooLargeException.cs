namespace LlmMux.Translation;

/// <summary>
/// An upstream stream event (an SSE line or the joined data of one SSE event, an NDJSON line, one element of a
/// streamed JSON array) grew past <see cref="TranslatorOptions.MaxEventBytes"/>. The decoder that threw has dropped
/// what it held and stays failed: every later call throws again, so the stream must be ended.
/// </summary>
public sealed class StreamEventTooLargeException : TranslationException
{
    public StreamEventTooLargeException()
        : this(TranslatorOptions.DefaultMaxEventBytes)
    {
    }

    public StreamEventTooLargeException(string message)
        : base(TranslationErrorKind.EventTooLarge, message)
    {
    }

    public StreamEventTooLargeException(string message, Exception innerException)
        : base(TranslationErrorKind.EventTooLarge, message, innerException)
    {
    }

    public StreamEventTooLargeException(int maxEventBytes)
        : base(TranslationErrorKind.EventTooLarge, $"an upstream stream event is larger than {maxEventBytes} bytes")
    {
        MaxEventBytes = maxEventBytes;
    }

    /// <summary>The limit that was exceeded.</summary>
    public int MaxEventBytes { get; }
}
