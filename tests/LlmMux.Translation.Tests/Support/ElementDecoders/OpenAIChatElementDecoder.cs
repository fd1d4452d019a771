using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;
using LlmMux.Translation.OpenAIChat;

namespace LlmMux.Translation.Tests.Support.ElementDecoders;

/// <summary>The element-based Chat Completions request decoder the reader replaced, kept as an independent oracle:
/// it walks a parsed document in document order, so it cannot share the reader's member-order bugs.</summary>
internal static class OpenAIChatElementDecoder
{
    public static IrRequest Decode(JsonElement root)
    {
        var system = ImmutableArray.CreateBuilder<string>();
        var messages = ImmutableArray.CreateBuilder<IrMessage>();
        List<IrPart>? pendingResults = null;
        var legacyCalls = new LegacyCalls();

        if (!root.TryProp("messages"u8, out _))
        {
            throw TranslationException.Missing("messages");
        }

        foreach (var m in root.Arr("messages"u8))
        {
            m.ExpectObject("messages[]");
            string role = m.ReqStr("role"u8);
            if (role != "tool" && pendingResults is not null)
            {
                messages.Add(new IrMessage(IrRole.Tool, [.. pendingResults]));
                pendingResults = null;
            }

            switch (role)
            {
                case "system":
                case "developer":
                    system.Add(TextOf(m));
                    break;
                case "assistant":
                    messages.Add(new IrMessage(IrRole.Assistant, DecodeAssistant(m, legacyCalls)));
                    break;
                case "tool":
                case "function":
                    // Legacy "function" results carry only the name: pair them with the call made under that name.
                    string? resultName = m.Str("name"u8);
                    string? callId = m.Str("tool_call_id"u8);
                    if (callId is null && resultName is not null && legacyCalls.Waiting.TryGetValue(resultName, out var waiting) && waiting.Count > 0)
                    {
                        callId = waiting.Dequeue();
                    }

                    pendingResults ??= [];
                    pendingResults.Add(new IrToolResult(
                        callId ?? resultName ?? throw TranslationException.Missing("messages[].tool_call_id"),
                        resultName,
                        DecodeContent(m)));
                    break;
                default:
                    messages.Add(new IrMessage(IrRole.User, DecodeContent(m)));
                    break;
            }
        }

        if (pendingResults is not null)
        {
            messages.Add(new IrMessage(IrRole.Tool, [.. pendingResults]));
        }

        var tools = ImmutableArray.CreateBuilder<IrTool>();
        foreach (var t in root.Arr("tools"u8))
        {
            t.ExpectObject("tools[]");
            if (t.Str("type"u8) is { } type && type != "function")
            {
                continue; // custom / built-in tools have no IR form
            }

            var f = t.Obj("function"u8) ?? throw TranslationException.Missing("tools[].function");
            tools.Add(new IrTool(
                f.ReqStr("name"u8),
                f.Str("description"u8),
                f.TryProp("parameters"u8, out var p) ? p.RawObject("parameters") : OpenAIChatRequest.EmptySchema));
        }

        // Legacy (pre-tools) function calling: same definitions under "functions".
        foreach (var f in root.Arr("functions"u8))
        {
            f.ExpectObject("functions[]");
            tools.Add(new IrTool(
                f.ReqStr("name"u8),
                f.Str("description"u8),
                f.TryProp("parameters"u8, out var p) ? p.RawObject("parameters") : OpenAIChatRequest.EmptySchema));
        }

        var stream = root.Bool("stream"u8) ?? false;
        return new IrRequest
        {
            Model = root.Str("model"u8),
            System = system.ToImmutable(),
            Messages = messages.ToImmutable(),
            Tools = tools.ToImmutable(),
            ToolChoice = OpenAIChatRequest.DecodeToolChoice(root),
            Stream = stream,
            StreamIncludeUsage = root.Obj("stream_options"u8) is { } so && (so.Bool("include_usage"u8) ?? false),
            ParallelToolCalls = root.Bool("parallel_tool_calls"u8),
            User = root.Str("user"u8),
            Params = new IrGenerationParams
            {
                MaxTokens = root.Int("max_completion_tokens"u8) ?? root.Int("max_tokens"u8),
                Temperature = root.Double("temperature"u8),
                TopP = root.Double("top_p"u8),
                TopK = root.Int("top_k"u8),
                Stop = root.StrOrStrArray("stop"u8),
                Seed = root.Long("seed"u8),
                Reasoning = root.Str("reasoning_effort"u8) is { } effort ? new IrReasoningConfig(effort, null) : null,
                ResponseFormat = OpenAIChatRequest.DecodeResponseFormat(root),
            },
        };
    }

    private static ImmutableArray<IrPart> DecodeAssistant(JsonElement m, LegacyCalls legacyCalls)
    {
        var parts = ImmutableArray.CreateBuilder<IrPart>();
        // DeepSeek / vLLM style reasoning echo; no signature exists in this dialect.
        var reasoning = m.Str("reasoning_content"u8) ?? (m.TryProp("reasoning"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
        if (!string.IsNullOrEmpty(reasoning))
        {
            parts.Add(new IrReasoning(reasoning));
        }

        parts.AddRange(DecodeContent(m));
        if (m.Str("refusal"u8) is { Length: > 0 } refusal)
        {
            parts.Add(new IrText(refusal));
        }

        foreach (var tc in m.Arr("tool_calls"u8))
        {
            tc.ExpectObject("tool_calls[]");
            var f = tc.Obj("function"u8) ?? throw TranslationException.Missing("tool_calls[].function");
            parts.Add(new IrToolCall(tc.Str("id"u8) ?? Ids.NewCallId(), f.ReqStr("name"u8), OpenAIChatRequest.ArgumentsOf(f), OpenAIChatRequest.ThoughtSignatureOf(tc)));
        }

        if (m.Obj("function_call"u8) is { } legacy)
        {
            parts.Add(legacyCalls.Call(legacy));
        }

        return parts.ToImmutable();
    }

    private static string TextOf(JsonElement m) => IrPartText.Join(DecodeContent(m));

    private static ImmutableArray<IrPart> DecodeContent(JsonElement m)
    {
        if (!m.TryProp("content"u8, out var c))
        {
            return [];
        }

        if (c.ValueKind == JsonValueKind.String)
        {
            string s = c.GetString()!;
            return s.Length == 0 ? [] : [new IrText(s)];
        }

        if (c.ValueKind != JsonValueKind.Array)
        {
            throw TranslationException.Type("messages[].content", "a string or an array");
        }

        var parts = ImmutableArray.CreateBuilder<IrPart>();
        foreach (var p in c.EnumerateArray())
        {
            p.ExpectObject("content[]");
            switch (p.Str("type"u8))
            {
                case "text":
                case "input_text":
                case "output_text":
                    parts.Add(new IrText(p.Str("text"u8) ?? string.Empty));
                    break;
                case "image_url":
                    var iu = p.Req("image_url"u8);
                    string url = iu.ValueKind == JsonValueKind.String ? iu.GetString()! : iu.ReqStr("url"u8);
                    parts.Add(IrImage.FromUrl(url));
                    break;
                case "refusal":
                    parts.Add(new IrText(p.Str("refusal"u8) ?? string.Empty));
                    break;
                case "file":
                    // Only inline files (data: URLs) can travel; file ids point into OpenAI's storage (drop table).
                    if (p.Obj("file"u8)?.Str("file_data"u8) is { } fileData)
                    {
                        var file = IrImage.FromUrl(fileData);
                        if (file.Base64Data is not null)
                        {
                            parts.Add(file);
                        }
                    }

                    break;
                default:
                    break; // input_audio: no IR form (drop table)
            }
        }

        return parts.ToImmutable();
    }
}
