using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmMux.Translation.Internal;

/// <summary>
/// Collects the few items of one message (its parts) in place and makes one exact-size immutable array of them, so
/// a decoder allocates no growing list per message. Past eight items it spills into a list. A mutable struct: keep it
/// in a local and pass it by <c>ref</c>.
/// </summary>
internal struct SmallList<T>
    where T : class
{
    private Eight _inline;
    private int _count;
    private List<T>? _more;

    public readonly int Count => _count;

    public void Add(T item)
    {
        if (_count < 8)
        {
            _inline[_count] = item;
        }
        else
        {
            (_more ??= []).Add(item);
        }

        _count++;
    }

    public void AddRange(ImmutableArray<T> items)
    {
        foreach (var item in items)
        {
            Add(item);
        }
    }

    public readonly ImmutableArray<T> ToImmutable()
    {
        if (_count == 0)
        {
            return [];
        }

        var result = new T[_count];
        for (int i = 0; i < Math.Min(_count, 8); i++)
        {
            result[i] = _inline[i]!;
        }

        _more?.CopyTo(result, 8);
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    [InlineArray(8)]
    private struct Eight
    {
        private T? _first;
    }
}
