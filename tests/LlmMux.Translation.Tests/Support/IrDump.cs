using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Tests.Support;

/// <summary>A canonical text form of IR values so tests can compare documents from different dialects.</summary>
internal static class IrDump
{
    public static string Json(string? json)
    {
        if (json is null)
        {
            return "<null>";
        }

        return Canon(JsonNode.Parse(json))?.ToJsonString() ?? "null";
    }

    // Objects with sorted keys: key order is not meaningful in JSON.
    private static JsonNode? Canon(JsonNode? n) => n switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canon(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canon).ToArray()),
        null => null,
        _ => n.DeepClone(),
    };

    /// <summary>Tool output that is JSON compares as JSON (Gemini carries it as an object, so whitespace is not kept).</summary>
    private static string MaybeJson(string text)
    {
        var t = text.TrimStart();
        if (t.StartsWith('{') || t.StartsWith('['))
        {
            try
            {
                return Json(text);
            }
            catch (System.Text.Json.JsonException)
            {
                return text;
            }
        }

        return text;
    }

    /// <summary>The conversation core every dialect can express: roles, text, images, tool calls and results.</summary>
    public static string Conversation(IrRequest r, bool withToolIds = true, bool withImageUrls = true)
    {
        var sb = new StringBuilder();
        sb.Append("system=").AppendLine(string.Join("\n\n", r.System.Where(s => s.Length > 0)));
        foreach (var m in r.Messages)
        {
            sb.Append(m.Role).Append(':');
            foreach (var p in m.Parts)
            {
                sb.Append(' ').Append(Part(p, withToolIds, withImageUrls));
            }

            sb.AppendLine();
        }

        foreach (var t in r.Tools)
        {
            sb.Append("tool ").Append(t.Name).Append('|').Append(t.Description).Append('|').AppendLine(Json(t.ParametersJson));
        }

        return sb.ToString();
    }

    public static string Part(IrPart p, bool withToolIds = true, bool withImageUrls = true) => p switch
    {
        IrText t => $"text({t.Text})",
        IrImage i when i.Base64Data is not null => $"image(b64:{i.MediaType}:{i.Base64Data.Length})",
        IrImage i => withImageUrls ? $"image(url:{i.Url})" : "image(url)",
        IrToolCall c => $"call({(withToolIds ? c.Id : "")},{c.Name},{Json(c.ArgumentsJson)})",
        IrToolResult tr => $"result({(withToolIds ? tr.ToolCallId : "")},{MaybeJson(tr.JoinedText())})",
        IrReasoning r => $"reasoning({r.Text},{r.Signature},{r.RedactedData})",
        _ => p.ToString(),
    };

    public static string Parts(IEnumerable<IrPart> parts, bool withReasoning = true, bool withToolIds = true) =>
        string.Join(" ", parts.Where(p => withReasoning || p is not IrReasoning).Select(p => Part(p, withToolIds)));
}
