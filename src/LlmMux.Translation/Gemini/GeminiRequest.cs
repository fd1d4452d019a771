using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Gemini;

/// <summary>generateContent request body → IR (the Code Assist envelope is handled by <see cref="GeminiCodec"/>); the encoding half is in GeminiRequest.Encode.cs.</summary>
internal static partial class GeminiRequest
{
    /// <summary>Google's documented placeholder for replayed function calls that have no real signature (Gemini 3
    /// rejects unsigned calls in history otherwise).</summary>
    internal const string SkipSignature = "skip_thought_signature_validator";

    public static IrRequest Decode(JsonElement root, string? model)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        if ((root.Obj("systemInstruction"u8) ?? root.Obj("system_instruction"u8)) is { } si)
        {
            foreach (var p in si.Arr("parts"u8))
            {
                p.ExpectObject("systemInstruction.parts[]");
                system.Add(p.Str("text"u8) ?? string.Empty);
            }
        }

        if (!root.TryProp("contents"u8, out _))
        {
            throw TranslationException.Missing("contents");
        }

        // Gemini may omit call ids; calls and responses are then paired by name in order.
        var unanswered = new Dictionary<string, Queue<string>>(StringComparer.Ordinal);
        int generated = 0;
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        foreach (var c in root.Arr("contents"u8))
        {
            c.ExpectObject("contents[]");
            bool fromModel = c.Str("role"u8) == "model";
            var parts = ImmutableArray.CreateBuilder<IrPart>();
            var results = ImmutableArray.CreateBuilder<IrPart>();
            foreach (var p in c.Arr("parts"u8))
            {
                p.ExpectObject("parts[]");
                string? sig = p.Str("thoughtSignature"u8);
                if (p.Obj("functionCall"u8) is { } fc)
                {
                    string name = fc.ReqStr("name"u8);
                    string id = fc.Str("id"u8) ?? $"call_{name}_{generated++}";
                    if (!unanswered.TryGetValue(name, out var q))
                    {
                        unanswered[name] = q = new Queue<string>();
                    }

                    q.Enqueue(id);
                    parts.Add(new IrToolCall(id, name, fc.TryProp("args"u8, out var args) ? args.RawObject("functionCall.args") : "{}", sig));
                }
                else if (p.Obj("functionResponse"u8) is { } fr)
                {
                    string name = fr.ReqStr("name"u8);
                    string? id = fr.Str("id"u8);
                    if (id is null && unanswered.TryGetValue(name, out var q) && q.Count > 0)
                    {
                        id = q.Dequeue();
                    }

                    results.Add(DecodeFunctionResponse(id ?? $"call_{name}_{generated++}", name, fr));
                }
                else if (p.Str("text"u8) is { } text)
                {
                    if (p.Bool("thought"u8) is true)
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
                else if ((p.Obj("inlineData"u8) ?? p.Obj("inline_data"u8)) is { } inline)
                {
                    parts.Add(new IrImage(null, inline.ReqStr("data"u8), inline.Str("mimeType"u8) ?? inline.Str("mime_type"u8)));
                }
                else if ((p.Obj("fileData"u8) ?? p.Obj("file_data"u8)) is { } file)
                {
                    parts.Add(new IrImage(file.Str("fileUri"u8) ?? file.ReqStr("file_uri"u8), null, file.Str("mimeType"u8) ?? file.Str("mime_type"u8)));
                }
            }

            if (results.Count > 0)
            {
                messages.Add(new IrMessage(IrRole.Tool, results.ToImmutable()));
            }

            if (parts.Count > 0 || results.Count == 0)
            {
                messages.Add(new IrMessage(fromModel ? IrRole.Assistant : IrRole.User, parts.ToImmutable()));
            }
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"u8))
        {
            t.ExpectObject("tools[]");
            foreach (var fd in t.Arr("functionDeclarations"u8))
            {
                fd.ExpectObject("functionDeclarations[]");
                string schema = fd.TryProp("parametersJsonSchema"u8, out var pjs) ? pjs.RawObject("parametersJsonSchema")
                    : fd.TryProp("parameters"u8, out var ps) ? GeminiSchema.ToJsonSchema(ps.ExpectObjectValue("parameters"))
                    : OpenAIChat.OpenAIChatRequest.EmptySchema;
                tools.Add(new IrTool(fd.ReqStr("name"u8), fd.Str("description"u8), schema));
            }
        }

        IrToolChoice? choice = null;
        if (root.Obj("toolConfig"u8)?.Obj("functionCallingConfig"u8) is { } fcc)
        {
            var allowed = fcc.StrOrStrArray("allowedFunctionNames"u8);
            choice = fcc.Str("mode"u8) switch
            {
                "ANY" or "VALIDATED" when allowed.Length == 1 => new IrToolChoice(IrToolChoiceKind.Specific, allowed[0]),
                "ANY" => IrToolChoice.Required,
                "NONE" => IrToolChoice.None,
                _ => IrToolChoice.Auto,
            };
        }

        var gen = root.Obj("generationConfig"u8);
        IrReasoningConfig? reasoning = null;
        if (gen?.Obj("thinkingConfig"u8) is { } tc)
        {
            reasoning = new IrReasoningConfig(
                tc.Str("thinkingLevel"u8)?.ToLowerInvariant(),
                tc.Int("thinkingBudget"u8),
                tc.Bool("includeThoughts"u8));
        }

        IrResponseFormat? format = null;
        if (gen?.Str("responseMimeType"u8) == "application/json")
        {
            string? schema = gen.Value.TryProp("responseJsonSchema"u8, out var rjs) ? rjs.GetRawText()
                : gen.Value.TryProp("responseSchema"u8, out var rs) ? GeminiSchema.ToJsonSchema(rs.ExpectObjectValue("responseSchema")) : null;
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
                MaxTokens = gen?.Int("maxOutputTokens"u8),
                Temperature = gen?.Double("temperature"u8),
                TopP = gen?.Double("topP"u8),
                TopK = gen?.Int("topK"u8),
                Stop = gen?.StrOrStrArray("stopSequences"u8) ?? [],
                Seed = gen?.Long("seed"u8),
                Reasoning = reasoning,
                ResponseFormat = format,
            },
        };
    }

    private static IrToolResult DecodeFunctionResponse(string id, string name, JsonElement fr)
    {
        if (!fr.TryProp("response"u8, out var resp))
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
}
