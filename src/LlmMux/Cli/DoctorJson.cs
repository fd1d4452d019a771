using System.Text;
using System.Text.Json;

namespace LlmMux.Cli;

/// <summary>
/// Reading the gateway's answers for <c>doctor --client</c> without reflection: one JSON body, or the JSON of each
/// <c>data:</c> line of a server-sent-event stream, and writing string literals into the request bodies.
/// </summary>
internal static class DoctorJson
{
    /// <summary>A JSON string literal.</summary>
    public static string Q(string value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// <paramref name="pick"/> over the answer's JSON objects: the body when it is one object, each element of a JSON
    /// array, or each <c>data:</c> line of an event stream (lines that are not JSON, like <c>[DONE]</c>, are skipped).
    /// </summary>
    public static T? Find<T>(string body, Func<IReadOnlyList<JsonElement>, T?> pick)
    {
        var documents = new List<JsonDocument>();
        try
        {
            var text = body.TrimStart();
            if (text.StartsWith('{') || text.StartsWith('['))
            {
                Add(documents, text);
            }
            else
            {
                foreach (var line in body.Split('\n'))
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        Add(documents, line["data:".Length..].Trim());
                    }
                }
            }

            var roots = documents.SelectMany<JsonDocument, JsonElement>(d => d.RootElement.ValueKind == JsonValueKind.Array ? [.. d.RootElement.EnumerateArray()] : [d.RootElement])
                .Where(e => e.ValueKind == JsonValueKind.Object)
                .ToList();
            return pick(roots);
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    private static void Add(List<JsonDocument> documents, string json)
    {
        try
        {
            documents.Add(JsonDocument.Parse(json));
        }
        catch (JsonException)
        {
        }
    }

    public static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonElement Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        Get(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>The first non-empty <paramref name="field"/> of the items of the list <paramref name="list"/>.</summary>
    public static string? FirstId(string body, string list, string field) =>
        Find(body, roots => roots.SelectMany(r => Items(r, list)).Select(i => Str(i, field)).FirstOrDefault(id => id is { Length: > 0 }));

    /// <summary>Whether <paramref name="json"/> parses, so a streamed argument string can be replayed as an object.</summary>
    public static bool IsObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
