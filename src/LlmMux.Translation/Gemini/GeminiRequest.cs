using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>generateContent request body ↔ IR (the Code Assist envelope is handled by <see cref="GeminiCodec"/>).</summary>
internal static class GeminiRequest
{
    /// <summary>Google's documented placeholder for replayed function calls that have no real signature (Gemini 3
    /// rejects unsigned calls in history otherwise).</summary>
    internal const string SkipSignature = "skip_thought_signature_validator";

    public static IrRequest Decode(JsonElement root, string? model)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        if ((root.Obj("systemInstruction") ?? root.Obj("system_instruction")) is { } si)
        {
            foreach (var p in si.Arr("parts"))
            {
                p.ExpectObject("systemInstruction.parts[]");
                system.Add(p.Str("text") ?? string.Empty);
            }
        }

        if (!root.TryProp("contents", out _))
        {
            throw TranslationException.Missing("contents");
        }

        // Gemini may omit call ids; calls and responses are then paired by name in order.
        var unanswered = new Dictionary<string, Queue<string>>(StringComparer.Ordinal);
        int generated = 0;
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        foreach (var c in root.Arr("contents"))
        {
            c.ExpectObject("contents[]");
            bool model_ = c.Str("role") == "model";
            var parts = ImmutableArray.CreateBuilder<IrPart>();
            var results = ImmutableArray.CreateBuilder<IrPart>();
            foreach (var p in c.Arr("parts"))
            {
                p.ExpectObject("parts[]");
                string? sig = p.Str("thoughtSignature");
                if (p.Obj("functionCall") is { } fc)
                {
                    string name = fc.ReqStr("name");
                    string id = fc.Str("id") ?? $"call_{name}_{generated++}";
                    if (!unanswered.TryGetValue(name, out var q))
                    {
                        unanswered[name] = q = new Queue<string>();
                    }

                    q.Enqueue(id);
                    parts.Add(new IrToolCall(id, name, fc.TryProp("args", out var args) ? args.RawObject("functionCall.args") : "{}", sig));
                }
                else if (p.Obj("functionResponse") is { } fr)
                {
                    string name = fr.ReqStr("name");
                    string? id = fr.Str("id");
                    if (id is null && unanswered.TryGetValue(name, out var q) && q.Count > 0)
                    {
                        id = q.Dequeue();
                    }

                    results.Add(DecodeFunctionResponse(id ?? $"call_{name}_{generated++}", name, fr));
                }
                else if (p.Str("text") is { } text)
                {
                    if (p.Bool("thought") is true)
                    {
                        parts.Add(new IrReasoning(text, sig));
                    }
                    else
                    {
                        if (sig is not null)
                        {
                            // A signature on an ordinary text part; keep it just before the text so it is re-attached.
                            parts.Add(new IrReasoning(string.Empty, sig));
                        }

                        parts.Add(new IrText(text));
                    }
                }
                else if ((p.Obj("inlineData") ?? p.Obj("inline_data")) is { } inline)
                {
                    parts.Add(new IrImage(null, inline.ReqStr("data"), inline.Str("mimeType") ?? inline.Str("mime_type")));
                }
                else if ((p.Obj("fileData") ?? p.Obj("file_data")) is { } file)
                {
                    parts.Add(new IrImage(file.Str("fileUri") ?? file.ReqStr("file_uri"), null, file.Str("mimeType") ?? file.Str("mime_type")));
                }
            }

            if (results.Count > 0)
            {
                messages.Add(new IrMessage(IrRole.Tool, results.ToImmutable()));
            }

            if (parts.Count > 0 || results.Count == 0)
            {
                messages.Add(new IrMessage(model_ ? IrRole.Assistant : IrRole.User, parts.ToImmutable()));
            }
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"))
        {
            t.ExpectObject("tools[]");
            foreach (var fd in t.Arr("functionDeclarations"))
            {
                fd.ExpectObject("functionDeclarations[]");
                string schema = fd.TryProp("parametersJsonSchema", out var pjs) ? pjs.RawObject("parametersJsonSchema")
                    : fd.TryProp("parameters", out var ps) ? GeminiSchema.ToJsonSchema(ps.ExpectObjectValue("parameters"))
                    : OpenAIChat.OpenAIChatRequest.EmptySchema;
                tools.Add(new IrTool(fd.ReqStr("name"), fd.Str("description"), schema));
            }
        }

        IrToolChoice? choice = null;
        if (root.Obj("toolConfig")?.Obj("functionCallingConfig") is { } fcc)
        {
            var allowed = fcc.StrOrStrArray("allowedFunctionNames");
            choice = fcc.Str("mode") switch
            {
                "ANY" or "VALIDATED" when allowed.Length == 1 => new IrToolChoice(IrToolChoiceKind.Specific, allowed[0]),
                "ANY" => IrToolChoice.Required,
                "NONE" => IrToolChoice.None,
                _ => IrToolChoice.Auto,
            };
        }

        var gen = root.Obj("generationConfig");
        IrReasoningConfig? reasoning = null;
        if (gen?.Obj("thinkingConfig") is { } tc)
        {
            reasoning = new IrReasoningConfig(
                tc.Str("thinkingLevel")?.ToLowerInvariant(),
                tc.Int("thinkingBudget"),
                tc.Bool("includeThoughts"));
        }

        IrResponseFormat? format = null;
        if (gen?.Str("responseMimeType") == "application/json")
        {
            string? schema = gen.Value.TryProp("responseJsonSchema", out var rjs) ? rjs.GetRawText()
                : gen.Value.TryProp("responseSchema", out var rs) ? GeminiSchema.ToJsonSchema(rs.ExpectObjectValue("responseSchema")) : null;
            format = schema is null ? new IrResponseFormat(IrResponseFormatKind.JsonObject) : new IrResponseFormat(IrResponseFormatKind.JsonSchema, "response", schema);
        }

        return new IrRequest
        {
            Model = model,
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = choice,
            StreamIncludeUsage = true,
            Params = new IrGenerationParams
            {
                MaxTokens = gen?.Int("maxOutputTokens"),
                Temperature = gen?.Double("temperature"),
                TopP = gen?.Double("topP"),
                TopK = gen?.Int("topK"),
                Stop = gen?.StrOrStrArray("stopSequences") ?? [],
                Seed = gen?.Long("seed"),
                Reasoning = reasoning,
                ResponseFormat = format,
            },
        };
    }

    private static IrToolResult DecodeFunctionResponse(string id, string name, JsonElement fr)
    {
        if (!fr.TryProp("response", out var resp))
        {
            return new IrToolResult(id, name, []);
        }

        resp.ExpectObject("functionResponse.response");
        // Our own encoding wraps non-object results as {"result": …} / {"error": …}; unwrap those.
        bool isError = false;
        string text;
        var props = resp.EnumerateObject().ToList();
        if (props.Count == 1 && props[0].Name is "result" or "output" or "error" or "content")
        {
            isError = props[0].Name == "error";
            text = props[0].Value.ValueKind == JsonValueKind.String ? props[0].Value.GetString()! : props[0].Value.GetRawText();
        }
        else
        {
            text = resp.GetRawText();
        }

        return new IrToolResult(id, name, [new IrText(text)], isError);
    }

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        // Function responses need the function name; OpenAI tool messages only carry the call id.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in r.Messages)
        {
            foreach (var p in m.Parts)
            {
                if (p is IrToolCall c)
                {
                    names[c.Id] = c.Name;
                }
            }
        }

        bool needsSignature = r.Model?.Contains("gemini-3", StringComparison.OrdinalIgnoreCase) == true;

        w.WriteStartObject();
        w.WritePropertyName("contents"u8);
        w.WriteStartArray();
        var pending = new List<IrPart>();
        bool pendingModel = false;
        foreach (var m in r.Messages)
        {
            bool isModel = m.Role == IrRole.Assistant;
            if (pending.Count > 0 && isModel != pendingModel)
            {
                WriteContent(w, pendingModel, pending, names, needsSignature);
                pending.Clear();
            }

            pendingModel = isModel;
            pending.AddRange(m.Parts);
        }

        if (pending.Count > 0)
        {
            WriteContent(w, pendingModel, pending, names, needsSignature);
        }

        w.WriteEndArray();

        if (!r.System.IsDefaultOrEmpty)
        {
            w.WritePropertyName("systemInstruction"u8);
            w.WriteStartObject();
            w.WriteString("role"u8, "user"u8);
            w.WritePropertyName("parts"u8);
            w.WriteStartArray();
            foreach (var s in r.System)
            {
                w.WriteStartObject();
                w.WriteString("text"u8, s);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (!r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("tools"u8);
            w.WriteStartArray();
            w.WriteStartObject();
            w.WritePropertyName("functionDeclarations"u8);
            w.WriteStartArray();
            foreach (var t in r.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name"u8, t.Name);
                JsonWrite.StringIf(w, "description", t.Description);
                // parametersJsonSchema takes full JSON Schema as-is; the OpenAPI-subset "parameters" would force a lossy rewrite.
                w.WritePropertyName("parametersJsonSchema"u8);
                JsonWrite.RawOrString(w, t.ParametersJson, OpenAIChat.OpenAIChatRequest.EmptySchema);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (r.ToolChoice is { } tc && !r.Tools.IsDefaultOrEmpty)
        {
            w.WritePropertyName("toolConfig"u8);
            w.WriteStartObject();
            w.WritePropertyName("functionCallingConfig"u8);
            w.WriteStartObject();
            w.WriteString("mode"u8, tc.Kind switch
            {
                IrToolChoiceKind.None => "NONE",
                IrToolChoiceKind.Required or IrToolChoiceKind.Specific => "ANY",
                _ => "AUTO",
            });
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WritePropertyName("allowedFunctionNames"u8);
                w.WriteStartArray();
                w.WriteStringValue(tc.Name);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        WriteGenerationConfig(w, r.Params);
        w.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter w, IrGenerationParams p)
    {
        w.WritePropertyName("generationConfig"u8);
        w.WriteStartObject();
        JsonWrite.NumberIf(w, "maxOutputTokens", p.MaxTokens);
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "topP", p.TopP);
        JsonWrite.NumberIf(w, "topK", p.TopK);
        if (!p.Stop.IsDefaultOrEmpty)
        {
            w.WritePropertyName("stopSequences"u8);
            w.WriteStartArray();
            foreach (var s in p.Stop)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
        }

        JsonWrite.NumberIf(w, "seed", p.Seed);
        if (p.ResponseFormat is { Kind: not IrResponseFormatKind.Text } rf)
        {
            w.WriteString("responseMimeType"u8, "application/json");
            if (rf.Kind == IrResponseFormatKind.JsonSchema && rf.SchemaJson is not null)
            {
                w.WritePropertyName("responseJsonSchema"u8);
                JsonWrite.RawOrString(w, rf.SchemaJson);
            }
        }

        if (p.Reasoning is { } rc)
        {
            w.WritePropertyName("thinkingConfig"u8);
            w.WriteStartObject();
            int? budget = ReasoningMap.Budget(rc);
            if (budget is { } b)
            {
                w.WriteNumber("thinkingBudget"u8, b);
            }

            w.WriteBoolean("includeThoughts"u8, rc.IncludeThoughts ?? budget != 0);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter w, bool isModel, List<IrPart> parts, Dictionary<string, string> names, bool needsSignature)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, isModel ? "model" : "user");
        w.WritePropertyName("parts"u8);
        w.WriteStartArray();
        string? pendingSig = null;
        bool firstCall = true;
        int written = 0;
        foreach (var part in parts)
        {
            switch (part)
            {
                case IrReasoning { Text.Length: 0, Signature: { } sig }:
                    pendingSig = sig;
                    break;
                case IrReasoning { Text.Length: > 0 } rsn when isModel:
                    w.WriteStartObject();
                    w.WriteString("text"u8, rsn.Text);
                    w.WriteBoolean("thought"u8, true);
                    JsonWrite.StringIf(w, "thoughtSignature", rsn.Signature);
                    w.WriteEndObject();
                    written++;
                    break;
                case IrText t:
                    w.WriteStartObject();
                    w.WriteString("text"u8, t.Text);
                    JsonWrite.StringIf(w, "thoughtSignature", pendingSig);
                    pendingSig = null;
                    w.WriteEndObject();
                    written++;
                    break;
                case IrImage img:
                    WriteImage(w, img);
                    written++;
                    break;
                case IrToolCall c:
                    w.WriteStartObject();
                    w.WritePropertyName("functionCall"u8);
                    w.WriteStartObject();
                    w.WriteString("id"u8, c.Id);
                    w.WriteString("name"u8, c.Name);
                    w.WritePropertyName("args"u8);
                    JsonWrite.RawOrString(w, c.ArgumentsJson);
                    w.WriteEndObject();
                    string? callSig = c.Signature ?? pendingSig ?? (needsSignature && firstCall ? SkipSignature : null);
                    JsonWrite.StringIf(w, "thoughtSignature", callSig);
                    pendingSig = null;
                    firstCall = false;
                    w.WriteEndObject();
                    written++;
                    break;
                case IrToolResult tr:
                    WriteFunctionResponse(w, tr, names);
                    written++;
                    // Images returned by a tool follow their functionResponse as ordinary parts.
                    foreach (var img in tr.Content.OfType<IrImage>())
                    {
                        WriteImage(w, img);
                    }

                    break;
                default:
                    break;
            }
        }

        if (written == 0)
        {
            // Gemini rejects a content without parts; an empty text keeps the turn structure.
            w.WriteStartObject();
            w.WriteString("text"u8, string.Empty);
            JsonWrite.StringIf(w, "thoughtSignature", pendingSig);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFunctionResponse(Utf8JsonWriter w, IrToolResult tr, Dictionary<string, string> names)
    {
        w.WriteStartObject();
        w.WritePropertyName("functionResponse"u8);
        w.WriteStartObject();
        w.WriteString("id"u8, tr.ToolCallId);
        w.WriteString("name"u8, tr.Name ?? (names.TryGetValue(tr.ToolCallId, out var n) ? n : tr.ToolCallId));
        w.WritePropertyName("response"u8);
        string text = tr.JoinedText();
        if (!tr.IsError && JsonWrite.IsJsonObject(text))
        {
            w.WriteRawValue(text, skipInputValidation: true);
        }
        else
        {
            // response must be an object: wrap scalars/text the way the Gemini docs do.
            w.WriteStartObject();
            w.WriteString(tr.IsError ? "error" : "result", text);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter w, IrImage img)
    {
        w.WriteStartObject();
        if (img.Base64Data is not null)
        {
            w.WritePropertyName("inlineData"u8);
            w.WriteStartObject();
            w.WriteString("mimeType"u8, img.MediaType ?? "image/png");
            w.WriteString("data"u8, img.Base64Data);
        }
        else
        {
            w.WritePropertyName("fileData"u8);
            w.WriteStartObject();
            w.WriteString("mimeType"u8, img.MediaType ?? GuessMime(img.Url!));
            w.WriteString("fileUri"u8, img.Url);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string GuessMime(string url)
    {
        string path = url.Split('?', 2)[0];
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".pdf" => "application/pdf",
            _ => "image/jpeg",
        };
    }
}
