namespace LlmMux.Translation.Internal;

/// <summary>An incremental splitter of a byte stream into events (SSE, NDJSON).</summary>
internal interface IEventFramer : IDisposable
{
    void Feed(ReadOnlySpan<byte> chunk, IFrameHandler handler);

    /// <summary>Flushes a final event that lacked its terminator. Returns false when nothing was pending.</summary>
    bool Complete(IFrameHandler handler);
}
