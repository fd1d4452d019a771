using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Gemini;

/// <summary>
/// A tool's JSON Schema as a Gemini-dialect <c>functionDeclarations[].parameters</c> that a Claude model behind
/// Google (Antigravity) accepts. Google parses <c>parameters</c> into its own Schema message, which knows
/// <see cref="Kept"/> and nothing else (<c>Unknown name "$defs" … Cannot find field</c>), then hands it to Claude,
/// which wants JSON Schema 2020-12 with an object root and no union at the root. So: local <c>$ref</c>s are inlined,
/// <c>allOf</c> merged, <c>oneOf</c> read as <c>anyOf</c>, <c>null</c> branches and type lists become
/// <c>nullable</c>, a root union becomes the merge of its object branches, <c>const</c> becomes a one-value
/// <c>enum</c>, an enum that is not all strings (Google's enum is a list of strings) and the keywords neither side takes
/// reliably (<see cref="Hinted"/>) are moved into the description, and everything else (<c>$schema</c>,
/// <c>additionalProperties</c>, <c>patternProperties</c>, <c>if</c>/<c>then</c>, <c>not</c>, <c>x-*</c> and vendor
/// keys) is dropped. Property names are never touched. Pure: the same schema always gives the same text.
/// </summary>
internal static class GeminiClaudeSchema
{
    private const int MaxDepth = 32;

    /// <summary>What Google's Schema message takes and Claude's validator accepts, copied as they are.</summary>
    private static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "type", "title", "description", "nullable", "enum", "properties", "required", "items", "anyOf",
        "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    };

    /// <summary>Constraints kept for the model to read (a description hint) but not sent as keywords.</summary>
    private static readonly string[] Hinted =
        ["format", "default", "examples", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "minProperties", "maxProperties"];

    private const string EmptyObject = """{"type":"object","properties":{}}""";

    /// <summary>The cleaned schema as JSON text.</summary>
    public static string ToParameters(string? schemaJson)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, JsonWrite.Options))
        {
            Write(w, schemaJson);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the cleaned schema as the next value of <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, string? schemaJson)
    {
        if (Cleaned(schemaJson) is { } cleaned)
        {
            cleaned.WriteTo(w);
        }
        else
        {
            w.WriteRawValue(EmptyObject, skipInputValidation: true);
        }
    }

    private static JsonObject? Cleaned(string? schemaJson)
    {
        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            return null;
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(schemaJson) as JsonObject;
        }
        catch (JsonException)
        {
            root = null;
        }

        if (root is null)
        {
            return null;
        }

        var cleaned = Clean(root, root, [], 0);
        FlattenRootUnion(cleaned);

        // Claude's root is an object with properties, never nullable.
        var result = new JsonObject { ["type"] = "object" };
        foreach (var (key, value) in cleaned.ToList())
        {
            if (key is not ("type" or "nullable"))
            {
                cleaned.Remove(key);
                result[key] = value;
            }
        }

        if (result["properties"] is not JsonObject)
        {
            result["properties"] = new JsonObject();
        }

        return result;
    }

    private static JsonObject Clean(JsonObject node, JsonObject root, HashSet<string> activeRefs, int depth)
    {
        if (depth > MaxDepth)
        {
            return new JsonObject { ["description"] = Str(node["description"]) ?? "(nested too deeply)" };
        }

        // A local $ref: the definition with this node's own keywords over it.
        if (Str(node["$ref"]) is { } reference)
        {
            if (!activeRefs.Contains(reference) && Resolve(root, reference) is JsonObject target)
            {
                var merged = (JsonObject)target.DeepClone();
                foreach (var (key, value) in node)
                {
                    if (key != "$ref")
                    {
                        merged[key] = value?.DeepClone();
                    }
                }

                activeRefs.Add(reference);
                var resolved = Clean(merged, root, activeRefs, depth + 1);
                activeRefs.Remove(reference);
                return resolved;
            }

            var unresolved = (JsonObject)node.DeepClone();
            unresolved.Remove("$ref");
            AddHint(unresolved, "See: " + reference[(reference.LastIndexOf('/') + 1)..]);
            node = unresolved;
        }

        var output = new JsonObject();
        var hints = new List<string>();
        bool nullable = node["nullable"]?.GetValueKind() == JsonValueKind.True;

        // allOf: every branch's keywords, the node's own winning; properties and required united.
        var working = (JsonObject)node.DeepClone();
        if (working["allOf"] is JsonArray allOf)
        {
            working.Remove("allOf");
            foreach (var branch in allOf.OfType<JsonObject>())
            {
                MergeInto(working, Clean(branch, root, activeRefs, depth + 1));
            }
        }

        // type: one name; a list gives its first non-null entry, null makes it nullable.
        switch (working["type"])
        {
            case JsonArray types:
            {
                var names = types.Select(Str).Where(t => t is not null).Select(t => t!.ToLowerInvariant()).ToList();
                nullable |= names.Remove("null");
                if (names.Count > 0)
                {
                    output["type"] = names[0];
                }

                if (names.Count > 1)
                {
                    hints.Add("Accepts: " + string.Join(" | ", names));
                }

                break;
            }

            case JsonValue value when Str(value) is { } name:
                if (name.Equals("null", StringComparison.OrdinalIgnoreCase))
                {
                    nullable = true;
                }
                else
                {
                    output["type"] = name.ToLowerInvariant();
                }

                break;
        }

        // anyOf / oneOf: the non-null branches, cleaned; one branch left is the node itself.
        var branches = new List<JsonObject>();
        foreach (var key in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (working[key] is JsonArray union)
            {
                foreach (var branch in union.OfType<JsonObject>())
                {
                    var cleaned = Clean(branch, root, activeRefs, depth + 1);
                    if (cleaned["nullable"]?.GetValueKind() == JsonValueKind.True && cleaned.Count == 1)
                    {
                        nullable = true;
                        continue;
                    }

                    branches.Add(cleaned);
                }
            }
        }

        // const: a one-value enum.
        if (working["const"] is { } constant && working["enum"] is null)
        {
            working["enum"] = new JsonArray(constant.DeepClone());
        }

        foreach (var (key, value) in working)
        {
            if (value is null || key is "type" or "anyOf" or "oneOf" or "nullable" || !Kept.Contains(key))
            {
                continue;
            }

            switch (key)
            {
                case "properties" when value is JsonObject properties:
                {
                    var cleanedProperties = new JsonObject();
                    foreach (var (name, property) in properties)
                    {
                        cleanedProperties[name] = property is JsonObject p ? Clean(p, root, activeRefs, depth + 1) : new JsonObject();
                    }

                    output["properties"] = cleanedProperties;
                    break;
                }

                case "items":
                    var item = value as JsonObject ?? (value as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
                    output["items"] = item is null ? new JsonObject { ["type"] = "string" } : Clean(item, root, activeRefs, depth + 1);
                    break;
                case "required" when value is JsonArray required:
                    output["required"] = new JsonArray([.. required.Select(Str).Where(r => r is not null).Distinct().Select(r => (JsonNode)JsonValue.Create(r!))]);
                    break;
                case "enum" when value is JsonArray values:
                    if (values.All(v => v?.GetValueKind() == JsonValueKind.String))
                    {
                        output["enum"] = values.DeepClone();
                    }
                    else
                    {
                        nullable |= values.Any(v => v is null || v.GetValueKind() == JsonValueKind.Null);
                        hints.Add("Allowed: " + string.Join(", ", values.Where(v => v is not null && v.GetValueKind() != JsonValueKind.Null).Select(v => v!.ToJsonString())));
                    }

                    break;
                case "title" or "pattern" when value.GetValueKind() == JsonValueKind.String:
                    output[key] = value.DeepClone();
                    break;
                case "minimum" or "maximum" or "minLength" or "maxLength" or "minItems" or "maxItems" when value.GetValueKind() == JsonValueKind.Number:
                    output[key] = value.DeepClone();
                    break;
                default:
                    break;
            }
        }

        foreach (var key in Hinted)
        {
            if (working[key] is { } hinted)
            {
                hints.Add($"{key}: {(hinted.GetValueKind() == JsonValueKind.String ? hinted.GetValue<string>() : hinted.ToJsonString())}");
            }
        }

        var description = Str(working["description"]);
        if (hints.Count > 0)
        {
            description = description is { Length: > 0 } ? $"{description} ({string.Join("; ", hints)})" : string.Join("; ", hints);
        }

        if (description is not null)
        {
            output["description"] = description;
        }

        if (branches.Count == 1 && output["properties"] is null)
        {
            // One real branch: that branch is the schema, with this node's description and hints.
            var only = branches[0];
            foreach (var (key, value) in output)
            {
                if (key is not "type")
                {
                    only[key] = value?.DeepClone();
                }
            }

            output = only;
        }
        else if (branches.Count > 0)
        {
            if (output["properties"] is JsonObject)
            {
                // An object with alternatives: their properties join its own (the alternatives were constraints).
                foreach (var branch in branches)
                {
                    MergeProperties(output, branch);
                }
            }
            else
            {
                output.Remove("type");
                output["anyOf"] = new JsonArray([.. branches]);
            }
        }

        if (Str(output["type"]) == "array" && output["items"] is null)
        {
            output["items"] = new JsonObject { ["type"] = "string" };
        }

        if (output["required"] is JsonArray req)
        {
            var names = output["properties"] as JsonObject;
            var kept = req.Select(Str).Where(r => r is not null && names?.ContainsKey(r) == true).ToList();
            if (kept.Count == 0)
            {
                output.Remove("required");
            }
            else
            {
                output["required"] = new JsonArray([.. kept.Select(r => (JsonNode)JsonValue.Create(r!))]);
            }
        }

        if (nullable)
        {
            output["nullable"] = true;
        }

        return output;
    }

    /// <summary>Claude takes no union at the root: the object branches' properties join the root's, required only
    /// where every branch requires it.</summary>
    private static void FlattenRootUnion(JsonObject root)
    {
        if (root["anyOf"] is not JsonArray union)
        {
            return;
        }

        root.Remove("anyOf");
        var objects = union.OfType<JsonObject>().Where(b => b["properties"] is JsonObject).ToList();
        if (objects.Count == 0)
        {
            return;
        }

        var properties = root["properties"] as JsonObject ?? [];
        root["properties"] = properties;
        IEnumerable<string>? common = null;
        foreach (var branch in objects)
        {
            foreach (var (name, property) in (JsonObject)branch["properties"]!)
            {
                if (!properties.ContainsKey(name))
                {
                    properties[name] = property?.DeepClone();
                }
            }

            var required = (branch["required"] as JsonArray)?.Select(Str).OfType<string>() ?? [];
            common = common is null ? required.ToList() : common.Intersect(required).ToList();
        }

        var all = ((root["required"] as JsonArray)?.Select(Str).OfType<string>() ?? []).Union(common ?? []).ToList();
        if (all.Count > 0)
        {
            root["required"] = new JsonArray([.. all.Select(r => (JsonNode)JsonValue.Create(r))]);
        }
    }

    private static void MergeInto(JsonObject target, JsonObject branch)
    {
        foreach (var (key, value) in branch)
        {
            switch (key)
            {
                case "properties":
                    MergeProperties(target, branch);
                    break;
                case "required" when value is JsonArray required:
                    var existing = (target["required"] as JsonArray)?.Select(Str).OfType<string>() ?? [];
                    target["required"] = new JsonArray([.. existing.Union(required.Select(Str).OfType<string>()).Select(r => (JsonNode)JsonValue.Create(r))]);
                    break;
                default:
                    if (!target.ContainsKey(key))
                    {
                        target[key] = value?.DeepClone();
                    }

                    break;
            }
        }
    }

    private static void MergeProperties(JsonObject target, JsonObject branch)
    {
        if (branch["properties"] is not JsonObject incoming)
        {
            return;
        }

        var properties = target["properties"] as JsonObject;
        if (properties is null)
        {
            properties = [];
            target["properties"] = properties;
        }

        foreach (var (name, property) in incoming)
        {
            if (!properties.ContainsKey(name))
            {
                properties[name] = property?.DeepClone();
            }
        }
    }

    /// <summary>A local JSON pointer (<c>#/$defs/unit</c>, <c>#/definitions/unit</c>) into the root schema.</summary>
    private static JsonNode? Resolve(JsonObject root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        JsonNode? current = root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static void AddHint(JsonObject node, string hint)
    {
        node["description"] = Str(node["description"]) is { Length: > 0 } existing ? $"{existing} ({hint})" : hint;
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
