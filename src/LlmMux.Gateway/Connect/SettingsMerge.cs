using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmMux.Gateway.Connect;

/// <summary>
/// Merges a <see cref="SettingsFile"/> fragment into the text of a client's existing settings file, keeping everything
/// the fragment does not name: JSON objects are merged key by key (comments in JSONC files are not kept), TOML root
/// keys and whole tables named by the fragment are replaced, dotenv variables are replaced or appended.
/// </summary>
public static class SettingsMerge
{
    /// <summary>The merged text, or throws <see cref="FormatException"/> when <paramref name="existing"/> does not parse.</summary>
    public static string Merge(string format, string? existing, string fragment) => format switch
    {
        "json" => MergeJson(existing, fragment),
        "toml" => MergeToml(existing, fragment),
        "dotenv" => MergeDotenv(existing, fragment),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown settings format"),
    };

    internal static string Write(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            node.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string MergeJson(string? existing, string fragment)
    {
        var add = JsonNode.Parse(fragment)!.AsObject();
        if (string.IsNullOrWhiteSpace(existing))
        {
            return Write(add);
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(existing, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})", e);
        }

        if (parsed is not JsonObject target)
        {
            throw new FormatException("not a JSON object");
        }

        Into(target, add);
        return Write(target);
    }

    private static void Into(JsonObject target, JsonObject add)
    {
        foreach (var (name, value) in add.ToList())
        {
            if (value is JsonObject child && target[name] is JsonObject existing)
            {
                Into(existing, child);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    private static string MergeToml(string? existing, string fragment)
    {
        var (addRoot, addTables) = TomlSections(fragment);
        var (root, tables) = TomlSections(existing ?? "");
        var keys = addRoot.Where(IsKeyLine).Select(KeyOf).ToHashSet(StringComparer.Ordinal);
        var merged = new StringBuilder();
        // The fragment's root keys first: TOML root keys must come before the first table.
        foreach (var line in addRoot.Where(IsKeyLine))
        {
            merged.Append(line).Append('\n');
        }

        foreach (var line in root.Where(l => !IsKeyLine(l) || !keys.Contains(KeyOf(l))))
        {
            merged.Append(line).Append('\n');
        }

        var replaced = addTables.Select(t => t.Header).ToHashSet(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => !replaced.Contains(t.Header)).Concat(addTables))
        {
            if (merged.Length > 0 && !merged.ToString().EndsWith("\n\n", StringComparison.Ordinal))
            {
                merged.Append('\n');
            }

            merged.Append(table.Header).Append('\n');
            foreach (var line in table.Lines)
            {
                merged.Append(line).Append('\n');
            }
        }

        return merged.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The lines before the first table header, and each table (header as written, normalised) with its lines.</summary>
    private static (List<string> Root, List<(string Header, List<string> Lines)> Tables) TomlSections(string text)
    {
        var root = new List<string>();
        var tables = new List<(string Header, List<string> Lines)>();
        var multiline = false;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var trimmed = raw.Trim();
            if (!multiline && trimmed.StartsWith('[') && !trimmed.StartsWith("[[", StringComparison.Ordinal) && trimmed.Contains(']', StringComparison.Ordinal))
            {
                var header = "[" + string.Concat(trimmed[1..trimmed.IndexOf(']', StringComparison.Ordinal)].Where(c => !char.IsWhiteSpace(c))) + "]";
                tables.Add((header, []));
                continue;
            }

            if (!multiline && trimmed.StartsWith("[[", StringComparison.Ordinal))
            {
                tables.Add((trimmed, []));
                continue;
            }

            // A multi-line string may hold lines that look like headers.
            if (CountTripleQuotes(raw) % 2 == 1)
            {
                multiline = !multiline;
            }

            (tables.Count == 0 ? root : tables[^1].Lines).Add(raw);
        }

        // Blank lines at the end of a section belong to the gap before the next one, which is re-made on writing.
        foreach (var lines in tables.Select(t => t.Lines).Append(root))
        {
            while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
            {
                lines.RemoveAt(lines.Count - 1);
            }
        }

        return (root, tables);
    }

    private static int CountTripleQuotes(string line) =>
        (line.Length - line.Replace("\"\"\"", "", StringComparison.Ordinal).Length) / 3 + (line.Length - line.Replace("'''", "", StringComparison.Ordinal).Length) / 3;

    private static bool IsKeyLine(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.Length > 0 && trimmed[0] != '#' && trimmed.Contains('=', StringComparison.Ordinal);
    }

    private static string KeyOf(string line) => line[..line.IndexOf('=', StringComparison.Ordinal)].Trim().Trim('"');

    private static string MergeDotenv(string? existing, string fragment)
    {
        var add = fragment.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var names = add.Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        var kept = (existing ?? "").ReplaceLineEndings("\n").Split('\n')
            .Where(l => !(DotenvName(l) is { } name && names.Contains(name)))
            .ToList();
        while (kept.Count > 0 && kept[^1].Length == 0)
        {
            kept.RemoveAt(kept.Count - 1);
        }

        return string.Concat(kept.Concat(add).Select(l => l + "\n"));
    }

    private static string? DotenvName(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith("export ", StringComparison.Ordinal))
        {
            trimmed = trimmed[7..].TrimStart();
        }

        var eq = trimmed.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && trimmed[0] != '#' ? trimmed[..eq].Trim() : null;
    }
}
