using System.Collections.Immutable;

namespace LlmMux.Translation.Ir;

/// <summary>Element-wise equality for the IR's immutable arrays (records would otherwise compare array identity).</summary>
internal static class IrEquality
{
    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b)
    {
        if (a.IsDefaultOrEmpty || b.IsDefaultOrEmpty)
        {
            return a.IsDefaultOrEmpty && b.IsDefaultOrEmpty;
        }

        return a.AsSpan().SequenceEqual(b.AsSpan());
    }

    public static int Hash<T>(ImmutableArray<T> a)
    {
        var h = new HashCode();
        if (!a.IsDefault)
        {
            foreach (var x in a)
            {
                h.Add(x);
            }
        }

        return h.ToHashCode();
    }
}
