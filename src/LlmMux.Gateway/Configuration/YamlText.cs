using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// Loads config YAML within bounds, and rewrites single values in the text while comments and layout stay.
/// </summary>
internal static class YamlText
{
    /// <summary>Deeper than any real config; YamlDotNet 18.1's loader recurses per level and overflows the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes after alias expansion; bounds "billion laughs" fan-out, which the reader would walk in full.</summary>
    public const long MaxNodes = 100_000;

    /// <summary>The first document's root, or null for an empty text.</summary>
    /// <exception cref="YamlException">Broken YAML, or nesting or alias fan-out over the limits.</exception>
    public static YamlNode? Load(string text)
    {
        CheckBounds(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
    }

    /// <summary>
    /// Walks the event stream, which the parser produces without recursion, so a hostile text is refused before the
    /// recursive loader ever sees it.
    /// </summary>
    private static void CheckBounds(string text)
    {
        var parser = new Parser(new StringReader(text));
        // Each open collection counts the expanded nodes inside it, so an anchor's size is known when it closes.
        var open = new Stack<(string? Anchor, long Nodes)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            long added;
            switch (current)
            {
                case SequenceStart or MappingStart:
                    if (open.Count >= MaxDepth)
                    {
                        throw new YamlException(current.Start, current.End, $"nesting deeper than {MaxDepth} levels");
                    }

                    open.Push((AnchorOf((NodeEvent)current), 1));
                    continue;
                case SequenceEnd or MappingEnd:
                    var (anchor, nodes) = open.Pop();
                    if (anchor is not null)
                    {
                        anchors[anchor] = nodes;
                    }

                    added = nodes;
                    break;
                case Scalar scalar:
                    added = 1;
                    if (AnchorOf(scalar) is { } name)
                    {
                        anchors[name] = 1;
                    }

                    break;
                case AnchorAlias alias:
                    added = anchors.GetValueOrDefault(alias.Value.Value, 1);
                    break;
                default:
                    continue;
            }

            if (open.Count > 0)
            {
                var (anchor, nodes) = open.Pop();
                open.Push((anchor, nodes + added));
            }
            else
            {
                total += added;
            }

            if (total + open.Sum(o => o.Nodes) > MaxNodes)
            {
                throw new YamlException(current.Start, current.End, $"more than {MaxNodes.ToString(CultureInfo.InvariantCulture)} values once aliases are expanded");
            }
        }
    }

    private static string? AnchorOf(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

    /// <summary>
    /// The text with each scalar's value replaced (double-quoted), keeping its anchor or tag and whatever the node's
    /// span holds after the value (a block scalar's trailing line breaks).
    /// </summary>
    public static string Replace(string text, IEnumerable<(YamlScalarNode Node, string Value)> replacements)
    {
        var spans = replacements
            .Select(r => (Start: (int)r.Node.Start.Index, End: (int)r.Node.End.Index, r.Value))
            .DistinctBy(r => r.Start)
            .OrderByDescending(r => r.Start)
            .ToList();
        var builder = new StringBuilder(text);
        foreach (var (start, end, value) in spans)
        {
            var span = text[start..end];
            var valueStart = PropertiesLength(span);
            var valueEnd = span.Length;
            while (valueEnd > valueStart && span[valueEnd - 1] is '\n' or '\r')
            {
                valueEnd--;
            }

            builder.Remove(start + valueStart, valueEnd - valueStart).Insert(start + valueStart, Quote(value));
        }

        return builder.ToString();
    }

    /// <summary>Length of a leading <c>&amp;anchor</c> and/or <c>!tag</c> (with the space after), which must survive.</summary>
    private static int PropertiesLength(string span)
    {
        var i = 0;
        while (i < span.Length && span[i] is '&' or '!')
        {
            while (i < span.Length && !char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            while (i < span.Length && span[i] is ' ' or '\t')
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>A YAML double-quoted scalar holding exactly <paramref name="value"/>.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < ' ' or '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }
}
