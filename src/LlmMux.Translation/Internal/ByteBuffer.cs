using System.Buffers;

namespace LlmMux.Translation.Internal;

/// <summary>A growable byte buffer over <see cref="ArrayPool{T}"/> used to hold a partial frame between chunks.</summary>
internal sealed class ByteBuffer : IDisposable
{
    private const int InitialSize = 4096;

    private byte[] _array = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;

    public int Length => _end - _start;

    /// <summary>Bytes of the array held (for tests of what a failed stream keeps).</summary>
    internal int Capacity => _array.Length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(_start, _end - _start);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length > _array.Length - _end)
        {
            Grow(data.Length);
        }

        data.CopyTo(_array.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Drops <paramref name="count"/> consumed bytes from the front.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    public void Clear() => _start = _end = 0;

    /// <summary>Drops the contents and gives a grown array back, so a stream that hit a size limit holds none of it.</summary>
    public void Release()
    {
        _start = _end = 0;
        if (_array.Length > InitialSize)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    public void Dispose()
    {
        var a = _array;
        _array = [];
        _start = _end = 0;
        if (a.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(a);
        }
    }

    private void Grow(int extra)
    {
        int live = _end - _start;
        if (live + extra <= _array.Length)
        {
            // Enough room once the consumed prefix is dropped.
            Buffer.BlockCopy(_array, _start, _array, 0, live);
        }
        else
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, live + extra));
            Buffer.BlockCopy(_array, _start, bigger, 0, live);
            if (_array.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_array);
            }

            _array = bigger;
        }

        _start = 0;
        _end = live;
    }
}
