using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>One top-level edit of a same-dialect body: write a new value, or remove the property when
/// <see cref="Write"/> is null.</summary>
internal sealed record BodyEdit(string Name, Action<Utf8JsonWriter>? Write);

/// <summary>Rewrites a few top-level properties of a body and copies everything else verbatim, so a same-dialect
/// request keeps what the IR does not model (Anthropic cache_control, vendor fields) while the gateway overrides
/// model or reasoning.</summary>
internal static class BodyPatch
{
    public static byte[] Apply(JsonElement root, IReadOnlyList<BodyEdit> edits) => JsonWrite.ToBytes(w =>
    {
        var done = new bool[edits.Count];
        w.WriteStartObject();
        foreach (var p in root.EnumerateObject())
        {
            int i = IndexOf(edits, p);
            if (i < 0)
            {
                p.WriteTo(w);
                continue;
            }

            if (!done[i] && edits[i].Write is { } write)
            {
                w.WritePropertyName(edits[i].Name);
                write(w);
            }

            done[i] = true;
        }

        for (int i = 0; i < edits.Count; i++)
        {
            if (!done[i] && edits[i].Write is { } write)
            {
                w.WritePropertyName(edits[i].Name);
                write(w);
            }
        }

        w.WriteEndObject();
    });

    private static int IndexOf(IReadOnlyList<BodyEdit> edits, JsonProperty p)
    {
        for (int i = 0; i < edits.Count; i++)
        {
            if (p.NameEquals(edits[i].Name))
            {
                return i;
            }
        }

        return -1;
    }
}
