using System.Buffers;

namespace LlmMux.Translation;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over <see cref="ArrayPool{T}"/> that gives its array back on <see cref="Release"/>,
/// so a stream holds no output buffer while it waits for the upstream's next event, and an encoded request body costs
/// no array of its own (<see cref="Detach"/> hands the array to the <see cref="RequestBody"/>).
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 4096;
    private byte[]? _array;
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    public void Advance(int count)
    {
        if (count < 0 || _array is null || _written + count > _array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>Returns the array to the pool; the next write rents one again.</summary>
    public void Release()
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array);
        }

        _written = 0;
    }

    public void Dispose() => Release();

    /// <summary>Forgets the last <paramref name="count"/> bytes written.</summary>
    internal void Rewind(int count) => _written -= Math.Clamp(count, 0, _written);

    /// <summary>Gives up the array (its first <see cref="WrittenCount"/> bytes are the output); the caller returns it
    /// to <see cref="ArrayPool{T}.Shared"/>.</summary>
    internal byte[]? Detach()
    {
        var array = _array;
        _array = null;
        _written = 0;
        return array;
    }

    private byte[] Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_array is null)
        {
            return _array = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSize));
        }

        if (needed > _array.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }

        return _array;
    }
}
