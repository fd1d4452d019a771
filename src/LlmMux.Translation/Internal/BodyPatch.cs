using System.Buffers;
using System.Text.Json;

namespace LlmMux.Translation.Internal;

internal enum EditResult
{
    /// <summary>Leave the property as it is (or absent).</summary>
    Keep,

    /// <summary>The edit wrote the property's new value.</summary>
    Write,

    /// <summary>Drop the property.</summary>
    Remove,
}

/// <summary>Decides a property's new value from the one the body holds (<paramref name="existing"/>: its raw JSON, empty
/// when absent), writing it to <paramref name="w"/> when the result is <see cref="EditResult.Write"/>.</summary>
internal delegate EditResult ValueEdit(ReadOnlySpan<byte> existing, Utf8JsonWriter w);

/// <summary>One top-level edit of a same-dialect body: write a new value, or remove the property when
/// <see cref="Write"/> is null; <see cref="Edit"/>, when set, decides from the current value instead.</summary>
internal sealed record BodyEdit(string Name, Action<Utf8JsonWriter>? Write)
{
    public ValueEdit? Edit { get; init; }

    internal EditResult Run(ReadOnlySpan<byte> existing, Utf8JsonWriter w)
    {
        if (Edit is { } edit)
        {
            return edit(existing, w);
        }

        if (Write is not { } write)
        {
            return existing.IsEmpty ? EditResult.Keep : EditResult.Remove;
        }

        write(w);
        return EditResult.Write;
    }
}

/// <summary>
/// Rewrites a few top-level properties of a body and keeps everything else as it is, so a same-dialect request keeps
/// what the IR does not model (Anthropic cache_control, vendor fields, the client's formatting) while the gateway
/// overrides model, reasoning or a provider's fields.
/// </summary>
internal static class BodyPatch
{
    /// <summary>
    /// One <see cref="Utf8JsonReader"/> pass over the top level (values skipped, not decoded): the result is the
    /// original bytes between the edited values, as slices, and the new values in one small pooled buffer. Edited
    /// properties keep their place; added ones go last; a duplicate of an edited name is dropped.
    /// </summary>
    public static RequestBody Splice(ReadOnlyMemory<byte> body, IReadOnlyList<BodyEdit> edits, byte[]? pooledBody = null)
    {
        var span = body.Span;
        var reader = JsonRead.RootReader(span);

        var values = new PooledBufferWriter();
        var w = JsonWrite.Rent(values);
        var plan = new List<(bool Patch, int Start, int End)>(edits.Count * 2 + 2);
        // per edit: 0 not met yet, 1 met and kept, 2 met and rewritten or removed (a duplicate then goes too)
        Span<byte> done = edits.Count <= 64 ? stackalloc byte[edits.Count] : new byte[edits.Count];
        int runStart = 0;
        int previousEnd = (int)reader.BytesConsumed; // just after '{'
        bool emitted = false; // some member is already in the output (a following one needs its comma)
        bool firstDropped = false; // the output's first member is not the body's: its leading comma must go
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int nameStart = (int)reader.TokenStartIndex;
                int edit = IndexOf(edits, ref reader);
                reader.Read();
                int valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                int valueEnd = (int)reader.BytesConsumed;
                var result = EditResult.Keep;
                int written = 0;
                if (edit >= 0)
                {
                    if (done[edit] != 0)
                    {
                        result = done[edit] == 2 ? EditResult.Remove : EditResult.Keep;
                    }
                    else
                    {
                        written = values.WrittenCount;
                        result = edits[edit].Run(span[valueStart..valueEnd], w);
                        w.Flush();
                        w.Reset(values);
                        done[edit] = result == EditResult.Keep ? (byte)1 : (byte)2;
                    }
                }

                if (result == EditResult.Remove)
                {
                    // The member goes with the separator before it; a removed first member leaves its follower's comma.
                    Flush(plan, runStart, previousEnd);
                    runStart = valueEnd;
                    firstDropped |= !emitted;
                }
                else
                {
                    if (firstDropped && !emitted)
                    {
                        Flush(plan, runStart, previousEnd);
                        runStart = nameStart;
                        firstDropped = false;
                    }

                    if (result == EditResult.Write)
                    {
                        Flush(plan, runStart, valueStart);
                        plan.Add((true, written, values.WrittenCount));
                        runStart = valueEnd;
                    }

                    emitted = true;
                }

                previousEnd = valueEnd;
            }

            JsonRead.EndOfBody(ref reader);

            Flush(plan, runStart, previousEnd);
            runStart = previousEnd;
            for (int i = 0; i < edits.Count; i++)
            {
                if (done[i] != 0)
                {
                    continue;
                }

                int start = values.WrittenCount;
                values.Write(emitted ? ",\""u8 : "\""u8);
                values.Write(JsonEncodedText.Encode(edits[i].Name).EncodedUtf8Bytes);
                values.Write("\":"u8);
                if (edits[i].Run([], w) == EditResult.Write)
                {
                    w.Flush();
                    w.Reset(values);
                    plan.Add((true, start, values.WrittenCount));
                    emitted = true;
                }
                else
                {
                    w.Reset(values);
                    values.Rewind(values.WrittenCount - start);
                }
            }

            Flush(plan, runStart, span.Length);
        }
        catch
        {
            values.Release();
            throw;
        }
        finally
        {
            JsonWrite.Return(w);
        }

        var patch = values.Detach();
        var segments = new ReadOnlyMemory<byte>[plan.Count];
        for (int i = 0; i < plan.Count; i++)
        {
            var (isPatch, start, end) = plan[i];
            segments[i] = isPatch ? patch.AsMemory(start, end - start) : body[start..end];
        }

        return RequestBody.Spliced(segments, pooledBody, patch);
    }

    /// <summary>The same edits on a parsed object, written out whole (a nested object inside an edited value).</summary>
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

    private static void Flush(List<(bool Patch, int Start, int End)> plan, int start, int end)
    {
        if (end > start)
        {
            plan.Add((false, start, end));
        }
    }

    private static int IndexOf(IReadOnlyList<BodyEdit> edits, ref Utf8JsonReader reader)
    {
        for (int i = 0; i < edits.Count; i++)
        {
            if (reader.ValueTextEquals(edits[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

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
