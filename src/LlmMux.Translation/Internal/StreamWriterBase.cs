using System.Buffers;
using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>Shared plumbing for SSE / NDJSON encoders: one Utf8JsonWriter per stream, re-pointed at the caller's
/// output for each event so nothing is buffered between events.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The writer only wraps caller buffers and owns no unmanaged state.")]
internal abstract class StreamWriterBase
{
    private readonly Utf8JsonWriter _w = new(DetachedSink.Instance, JsonWrite.Options);

    /// <summary>Whether the stream was ended (completed or by an error): every later write is ignored.</summary>
    protected bool Done { get; private set; }

    protected void MarkDone() => Done = true;

    /// <summary>Ends an SSE stream once with an error event (<c>[event: name]</c>, the dialect's error body) and the
    /// dialect's terminator; does nothing when the stream already ended.</summary>
    protected void WriteTerminalError(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName, ErrorBodyWriter body, int status, string message, string? code, ReadOnlySpan<byte> terminator)
    {
        if (Done)
        {
            return;
        }

        var w = BeginSse(output, eventName);
        body(w, status, message, code);
        EndSse(output);
        output.Write(terminator);
        Done = true;
    }

    /// <summary>Starts <c>[event: name\n]data: </c> and returns the JSON writer for the payload.</summary>
    protected Utf8JsonWriter BeginSse(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName)
    {
        if (!eventName.IsEmpty)
        {
            output.Write("event: "u8);
            output.Write(eventName);
            output.Write("\n"u8);
        }

        output.Write("data: "u8);
        _w.Reset(output);
        return _w;
    }

    protected void EndSse(IBufferWriter<byte> output)
    {
        _w.Flush();
        _w.Reset(DetachedSink.Instance);
        output.Write("\n\n"u8);
    }

    /// <summary>Starts a bare JSON value (NDJSON line or JSON-array element) and returns the writer.</summary>
    protected Utf8JsonWriter BeginRaw(IBufferWriter<byte> output)
    {
        _w.Reset(output);
        return _w;
    }

    protected void EndRaw()
    {
        _w.Flush();
        _w.Reset(DetachedSink.Instance);
    }

    protected Utf8JsonWriter BeginLine(IBufferWriter<byte> output)
    {
        _w.Reset(output);
        return _w;
    }

    protected void EndLine(IBufferWriter<byte> output)
    {
        _w.Flush();
        _w.Reset(DetachedSink.Instance);
        output.Write("\n"u8);
    }

    protected static long NowUnix() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

/// <summary>A dialect's error body writer (see <see cref="DialectDescriptor.WriteError"/>).</summary>
internal delegate void ErrorBodyWriter(Utf8JsonWriter w, int status, string message, string? code);

internal static class Ids
{
    /// <summary>An id for a tool call whose source had none (Gemini); random so two turns never collide.</summary>
    public static string NewCallId() => "call_" + Guid.NewGuid().ToString("N")[..24];

    public static string NewToolUseId() => "toolu_" + Guid.NewGuid().ToString("N")[..24];

    public static string NewChatId() => "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];

    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N")[..24];

    public static string NewResponseId() => "resp_" + Guid.NewGuid().ToString("N");
}
