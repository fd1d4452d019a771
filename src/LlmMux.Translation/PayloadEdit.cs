using System.Collections.Immutable;
using System.Text;

namespace LlmMux.Translation;

/// <summary>What a payload rule does at its path.</summary>
public enum PayloadEditKind
{
    /// <summary>Set the value only when the body has none there (absent or <c>null</c>).</summary>
    Default,

    /// <summary>Set the value whatever the body held.</summary>
    Override,

    /// <summary>Drop the value from the body.</summary>
    Remove,
}

/// <summary>
/// A place in a JSON body: property names separated by dots (<c>generationConfig.thinkingConfig.thinkingBudget</c>);
/// where the value reached is an array, a segment that is a whole number indexes it (<c>tools.0.cache_control</c>);
/// <c>\.</c> is a dot inside a name and <c>\\</c> a backslash.
/// </summary>
public sealed record BodyPath
{
    private BodyPath(ImmutableArray<string> segments, string text) => (Segments, Text) = (segments, text);

    public ImmutableArray<string> Segments { get; }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says why it is not a path.</summary>
    public static BodyPath? Parse(string text, out string? error)
    {
        var segments = ImmutableArray.CreateBuilder<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '.' or '\\')
            {
                current.Append(text[++i]);
            }
            else if (c == '.')
            {
                if (current.Length == 0)
                {
                    error = $"'{text}' has an empty segment (paths are names separated by single dots)";
                    return null;
                }

                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length == 0)
        {
            error = text.Length == 0 ? "a path must not be empty" : $"'{text}' ends with a dot";
            return null;
        }

        segments.Add(current.ToString());
        error = null;
        return new BodyPath(segments.ToImmutable(), text);
    }

    public override string ToString() => Text;
}

/// <summary>One edit of a payload rule on the body the upstream receives.</summary>
/// <param name="Json">The value as JSON text; null for <see cref="PayloadEditKind.Remove"/>.</param>
public sealed record PayloadEdit(PayloadEditKind Kind, BodyPath Path, string? Json = null);
