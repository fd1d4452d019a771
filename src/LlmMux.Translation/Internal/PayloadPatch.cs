using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmMux.Translation.Internal;

/// <summary>
/// Payload rules as <see cref="BodyEdit"/>s of the one splice: the edits of one top-level property become one edit of
/// it, so only the values a rule touches are read and rewritten and the rest of the body stays slices of the original.
/// A property the translator already edits (a provider's forced field, the reasoning patch) gets the rules applied to
/// what that edit wrote.
/// </summary>
internal static class PayloadPatch
{
    public static void AddTo(List<BodyEdit> edits, ImmutableArray<PayloadEdit> payload)
    {
        if (payload.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var group in payload.GroupBy(e => e.Path.Segments[0], StringComparer.Ordinal))
        {
            var ordered = group.ToArray();
            var edit = new BodyEdit(group.Key, null) { Edit = (existing, w) => Run(existing, ordered, w) };
            var i = edits.FindIndex(e => e.Name == group.Key);
            if (i >= 0)
            {
                edits[i] = Compose(edits[i], edit);
            }
            else
            {
                edits.Add(edit);
            }
        }
    }

    /// <summary>The rules of one top-level property, in order, on its current value (empty: absent).</summary>
    private static EditResult Run(ReadOnlySpan<byte> existing, PayloadEdit[] edits, Utf8JsonWriter w)
    {
        if (Array.TrueForAll(edits, e => e.Path.Segments.Length == 1))
        {
            return RunTopLevel(existing, edits, w);
        }

        var present = !existing.IsEmpty;
        var node = present ? JsonNode.Parse(existing) : null;
        var changed = false;
        foreach (var edit in edits)
        {
            changed |= Apply(ref node, ref present, edit, 1);
        }

        if (!changed)
        {
            return EditResult.Keep;
        }

        if (!present)
        {
            return EditResult.Remove;
        }

        if (node is null)
        {
            w.WriteNullValue();
        }
        else
        {
            node.WriteTo(w);
        }

        return EditResult.Write;
    }

    /// <summary>Whole-value edits need no parse: the value is kept, dropped or replaced by a rule's JSON.</summary>
    private static EditResult RunTopLevel(ReadOnlySpan<byte> existing, PayloadEdit[] edits, Utf8JsonWriter w)
    {
        var original = true;
        var present = !existing.IsEmpty;
        string? json = null;
        foreach (var edit in edits)
        {
            switch (edit.Kind)
            {
                case PayloadEditKind.Remove:
                    (original, present, json) = (false, false, null);
                    break;
                case PayloadEditKind.Override:
                    (original, present, json) = (false, true, edit.Json);
                    break;
                case PayloadEditKind.Default when !present || (original ? IsNull(existing) : json == "null"):
                    (original, present, json) = (false, true, edit.Json);
                    break;
            }
        }

        if (original)
        {
            return EditResult.Keep;
        }

        if (!present)
        {
            return EditResult.Remove;
        }

        w.WriteRawValue(json!, skipInputValidation: true);
        return EditResult.Write;
    }

    /// <summary>
    /// One edit below the top level. A missing object on the way is created (arrays never are); a path that meets a
    /// value of another shape, or an index past an array's end, leaves the body as it is. Returns whether anything changed.
    /// </summary>
    private static bool Apply(ref JsonNode? node, ref bool present, PayloadEdit edit, int depth)
    {
        var segments = edit.Path.Segments;
        if (depth == segments.Length)
        {
            switch (edit.Kind)
            {
                case PayloadEditKind.Remove when present:
                    (node, present) = (null, false);
                    return true;
                case PayloadEditKind.Override:
                case PayloadEditKind.Default when !present || node is null:
                    (node, present) = (JsonNode.Parse(edit.Json!), true);
                    return true;
                default:
                    return false;
            }
        }

        var segment = segments[depth];
        if (!present || node is null)
        {
            if (edit.Kind == PayloadEditKind.Remove)
            {
                return false;
            }

            JsonNode? created = new JsonObject();
            var createdPresent = true;
            if (!Apply(ref created, ref createdPresent, edit, depth))
            {
                return false;
            }

            (node, present) = (created, true);
            return true;
        }

        switch (node)
        {
            case JsonObject obj:
            {
                var childPresent = obj.TryGetPropertyValue(segment, out var child);
                var before = child;
                if (!Apply(ref child, ref childPresent, edit, depth + 1))
                {
                    return false;
                }

                if (!childPresent)
                {
                    obj.Remove(segment);
                }
                else if (!ReferenceEquals(before, child))
                {
                    obj[segment] = child; // in place: the property keeps its position
                }

                return true;
            }

            case JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
            {
                var child = array[index];
                var before = child;
                var childPresent = true;
                if (!Apply(ref child, ref childPresent, edit, depth + 1))
                {
                    return false;
                }

                if (!childPresent)
                {
                    array.RemoveAt(index);
                }
                else if (!ReferenceEquals(before, child))
                {
                    array[index] = child;
                }

                return true;
            }

            default:
                return false;
        }
    }

    /// <summary>
    /// <paramref name="first"/>, then <paramref name="second"/> on what it left: the first result is held in a small
    /// buffer of that one value.
    /// </summary>
    private static BodyEdit Compose(BodyEdit first, BodyEdit second) => new(first.Name, null)
    {
        Edit = (existing, w) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            EditResult firstResult;
            using (var inner = new Utf8JsonWriter(buffer, JsonWrite.Options))
            {
                firstResult = first.Run(existing, inner);
            }

            var middle = firstResult switch
            {
                EditResult.Write => buffer.WrittenSpan,
                EditResult.Remove => default,
                _ => existing,
            };
            var secondResult = second.Run(middle, w);
            if (secondResult != EditResult.Keep)
            {
                return secondResult;
            }

            if (firstResult == EditResult.Write)
            {
                w.WriteRawValue(middle, skipInputValidation: true);
            }

            return firstResult;
        },
    };

    private static bool IsNull(ReadOnlySpan<byte> json) => json.Trim(" \t\r\n"u8).SequenceEqual("null"u8);
}
