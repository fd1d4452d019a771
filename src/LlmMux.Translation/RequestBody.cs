using System.Buffers;

namespace LlmMux.Translation;

/// <summary>
/// A request body ready for the upstream: slices of the client's bytes with the edited values between them (a
/// same-dialect request), or an encoder's output in a pooled buffer (a translated one). Nothing in it is a copy of the
/// whole body. Dispose it once the upstream request is sent; the pooled buffer goes back to the pool.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private readonly ReadOnlyMemory<byte>[] _segments;
    private byte[]? _pooled;
    private byte[]? _pooledValues;

    private RequestBody(ReadOnlyMemory<byte>[] segments, int length, byte[]? pooled, byte[]? pooledValues)
    {
        _segments = segments;
        Length = length;
        _pooled = pooled;
        _pooledValues = pooledValues;
    }

    /// <summary>Total bytes (the Content-Length to send).</summary>
    public int Length { get; }

    /// <summary>The body as one sequence, segment by segment (for <c>PipeReader.Create</c> or a copy loop).</summary>
    public ReadOnlySequence<byte> Sequence => _segments.Length switch
    {
        0 => ReadOnlySequence<byte>.Empty,
        1 => new ReadOnlySequence<byte>(_segments[0]),
        _ => Chain(_segments),
    };

    /// <summary>The body as sent by the client, untouched.</summary>
    public static RequestBody Unchanged(ReadOnlyMemory<byte> body) => new([body], body.Length, null, null);

    /// <summary>An encoder's output: the first <paramref name="length"/> bytes of a rented array.</summary>
    internal static RequestBody Pooled(byte[]? array, int length) =>
        new([array.AsMemory(0, length)], length, array, null);

    /// <param name="pooled">The array the slices of the original point into, when it is rented (an encoder's output).</param>
    /// <param name="pooledValues">The rented array holding the new values.</param>
    internal static RequestBody Spliced(ReadOnlyMemory<byte>[] segments, byte[]? pooled, byte[]? pooledValues)
    {
        int length = 0;
        foreach (var s in segments)
        {
            length += s.Length;
        }

        return new RequestBody(segments, length, pooled, pooledValues);
    }

    public void CopyTo(Span<byte> destination)
    {
        foreach (var s in _segments)
        {
            s.Span.CopyTo(destination);
            destination = destination[s.Length..];
        }
    }

    /// <summary>One contiguous copy (tests, and callers that need an array).</summary>
    public byte[] ToArray()
    {
        var result = new byte[Length];
        CopyTo(result);
        return result;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _pooled, null) is { } pooled)
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }

        if (Interlocked.Exchange(ref _pooledValues, null) is { } values)
        {
            ArrayPool<byte>.Shared.Return(values);
        }
    }

    private static ReadOnlySequence<byte> Chain(ReadOnlyMemory<byte>[] segments)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (var s in segments)
        {
            if (s.IsEmpty)
            {
                continue;
            }

            var next = new Segment(s, last is null ? 0 : last.RunningIndex + last.Memory.Length);
            if (last is null)
            {
                first = next;
            }
            else
            {
                last.SetNext(next);
            }

            last = next;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
