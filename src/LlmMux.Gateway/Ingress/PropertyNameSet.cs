using System.Buffers;
using System.Text.Json;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// The top-level property names of one body, as 64-bit hashes of their unescaped UTF-8, to find duplicates without
/// allocating: a request has a dozen or so top-level keys, which fit on the stack. Two different names with one hash
/// (one chance in 2^64) would be refused as a duplicate, never let through.
/// </summary>
internal ref struct PropertyNameSet(Span<ulong> inline)
{
    public const int InlineCapacity = 32;

    private Span<ulong> _inline = inline;
    private int _count;
    private HashSet<ulong>? _overflow;

    /// <summary>Adds a name's <see cref="Hash"/>; false when it was already there.</summary>
    public bool Add(ulong hash)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_inline[i] == hash)
            {
                return false;
            }
        }

        if (_overflow is not null)
        {
            return _overflow.Add(hash);
        }

        if (_count < _inline.Length)
        {
            _inline[_count++] = hash;
            return true;
        }

        _overflow = [hash];
        return true;
    }

    /// <summary>FNV-1a: tiny and good enough here, since a collision only ever refuses a request.</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The hash of the property name the reader is on.</summary>
    public static ulong Hash(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return Fnv1a(reader.ValueSpan);
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = length <= 256 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> buffer = rented ?? stackalloc byte[256];
        try
        {
            var written = reader.CopyString(buffer);
            return Fnv1a(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
