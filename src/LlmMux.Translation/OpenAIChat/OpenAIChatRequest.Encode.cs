using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>IR → request body (the decoding half is in OpenAIChatRequest.cs).</summary>
internal static partial class OpenAIChatRequest
{
    /// <summary>Opens the body, writes the model and opens <c>messages</c> with the system prompt as system-role
    /// messages: the head every Chat-shaped body (Chat Completions, Ollama chat) starts with.</summary>
    internal static void BeginMessages(IrRequest r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        w.WritePropertyName("messages"u8);
        w.WriteStartArray();
        foreach (var s in r.System)
        {
            w.WriteStartObject();
            w.WriteString("role"u8, "system"u8);
            w.WriteString("content"u8, s);
            w.WriteEndObject();
        }
    }

    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        BeginMessages(r, w);

        foreach (var m in r.Messages)
        {
            switch (m.Role)
            {
                case IrRole.Assistant:
                    EncodeAssistant(m, w);
                    break;
                case IrRole.Tool:
                    EncodeToolResults(m, w);
                    break;
                default:
                    if (m.Parts.Any(p => p is IrText or IrImage))
                    {
                        w.WriteStartObject();
                        w.WriteString("role"u8, "user"u8);
                        WriteContent(w, m.Parts);
                        w.WriteEndObject();
                    }

                    // Anthropic/Gemini allow tool results and text in one user turn; OpenAI needs separate messages.
                    EncodeToolResults(m, w);
                    break;
            }
        }

        w.WriteEndArray();

        WriteFunctionTools(w, r.Tools, nested: true);

        if (r.ToolChoice is { } tc)
        {
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WritePropertyName("tool_choice"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "function"u8);
                w.WritePropertyName("function"u8);
                w.WriteStartObject();
                w.WriteString("name"u8, tc.Name);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("tool_choice"u8, tc.Kind switch
                {
                    IrToolChoiceKind.None => "none",
                    IrToolChoiceKind.Required => "required",
                    _ => "auto",
                });
            }
        }

        if (r.ParallelToolCalls is { } ptc && !r.Tools.IsDefaultOrEmpty)
        {
            w.WriteBoolean("parallel_tool_calls"u8, ptc);
        }

        var p = r.Params;
        string? effort = ReasoningMap.Effort(p.Reasoning);
        if (p.MaxTokens is { } max)
        {
            // Reasoning models reject max_tokens; older OpenAI-compatible servers only know it.
            w.WriteNumber(effort is null ? "max_tokens" : "max_completion_tokens", max);
        }

        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
        JsonWrite.StringArrayIf(w, "stop", p.Stop);

        JsonWrite.NumberIf(w, "seed", p.Seed);
        JsonWrite.StringIf(w, "reasoning_effort", effort);
        if (p.ResponseFormat is { } rf)
        {
            w.WritePropertyName("response_format"u8);
            w.WriteStartObject();
            switch (rf.Kind)
            {
                case IrResponseFormatKind.JsonObject:
                    w.WriteString("type"u8, "json_object"u8);
                    break;
                case IrResponseFormatKind.JsonSchema:
                    w.WriteString("type"u8, "json_schema"u8);
                    w.WritePropertyName("json_schema"u8);
                    w.WriteStartObject();
                    w.WriteString("name"u8, rf.Name ?? "response");
                    w.WritePropertyName("schema"u8);
                    JsonWrite.RawOrString(w, rf.SchemaJson, EmptySchema);
                    if (rf.Strict is { } strict)
                    {
                        w.WriteBoolean("strict"u8, strict);
                    }

                    w.WriteEndObject();
                    break;
                default:
                    w.WriteString("type"u8, "text"u8);
                    break;
            }

            w.WriteEndObject();
        }

        JsonWrite.StringIf(w, "user", r.User);
        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
            // The gateway needs usage for accounting even when the client did not ask for it.
            w.WritePropertyName("stream_options"u8);
            w.WriteStartObject();
            w.WriteBoolean("include_usage"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void EncodeAssistant(IrMessage m, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, "assistant"u8);
        string text = IrPartText.Join(m.Parts);
        if (text.Length > 0)
        {
            w.WriteString("content"u8, text);
        }
        else
        {
            w.WriteNull("content"u8);
        }

        string? reasoning = null;
        bool hasCalls = false;
        foreach (var part in m.Parts)
        {
            if (part is IrReasoning { Text.Length: > 0 } r)
            {
                reasoning = reasoning is null ? r.Text : reasoning + r.Text;
            }

            hasCalls |= part is IrToolCall;
        }

        JsonWrite.StringIf(w, "reasoning_content", reasoning);
        if (hasCalls)
        {
            w.WritePropertyName("tool_calls"u8);
            w.WriteStartArray();
            foreach (var part in m.Parts)
            {
                if (part is IrToolCall c)
                {
                    WriteToolCall(w, c, null);
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>Gemini's OpenAI-compatible API returns a call's thought signature in
    /// <c>extra_content.google.thought_signature</c>; clients echo it back, which lets it survive the round trip.</summary>
    internal static string? ThoughtSignatureOf(JsonElement toolCall) =>
        toolCall.Obj("extra_content"u8)?.Obj("google"u8)?.Str("thought_signature"u8);

    internal static void WriteThoughtSignature(Utf8JsonWriter w, string? signature)
    {
        if (signature is null)
        {
            return;
        }

        w.WritePropertyName("extra_content"u8);
        w.WriteStartObject();
        w.WritePropertyName("google"u8);
        w.WriteStartObject();
        w.WriteString("thought_signature"u8, signature);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static void WriteToolCall(Utf8JsonWriter w, IrToolCall c, int? index)
    {
        w.WriteStartObject();
        if (index is { } i)
        {
            w.WriteNumber("index"u8, i);
        }

        w.WriteString("id"u8, c.Id);
        w.WriteString("type"u8, "function"u8);
        w.WritePropertyName("function"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, c.Name);
        w.WriteString("arguments"u8, c.ArgumentsJson);
        w.WriteEndObject();
        WriteThoughtSignature(w, c.Signature);
        w.WriteEndObject();
    }

    private static void EncodeToolResults(IrMessage m, Utf8JsonWriter w)
    {
        List<IrPart>? images = null;
        foreach (var part in m.Parts)
        {
            if (part is IrToolResult tr)
            {
                w.WriteStartObject();
                w.WriteString("role"u8, "tool"u8);
                w.WriteString("tool_call_id"u8, tr.ToolCallId);
                // The error flag has no field here (drop table); the text says what went wrong.
                w.WriteString("content"u8, tr.JoinedText());
                w.WriteEndObject();
                foreach (var x in tr.Content)
                {
                    if (x is IrImage)
                    {
                        (images ??= []).Add(x);
                    }
                }
            }
        }

        if (images is not null)
        {
            // A tool message holds text only; images a tool returned (screenshots) follow in a user message, the
            // only place Chat Completions accepts them, right after the tool messages.
            w.WriteStartObject();
            w.WriteString("role"u8, "user"u8);
            WriteContent(w, [.. images]);
            w.WriteEndObject();
        }
    }

    private static void WriteContent(Utf8JsonWriter w, ImmutableArray<IrPart> parts)
    {
        bool onlyText = true;
        int count = 0;
        foreach (var p in parts)
        {
            if (p is IrImage)
            {
                onlyText = false;
            }

            if (p is IrText or IrImage)
            {
                count++;
            }
        }

        if (onlyText && count <= 1)
        {
            w.WriteString("content"u8, IrPartText.Join(parts));
            return;
        }

        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var p in parts)
        {
            switch (p)
            {
                case IrText t:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "text"u8);
                    w.WriteString("text"u8, t.Text);
                    w.WriteEndObject();
                    break;
                case IrImage { IsImage: false, Base64Data: not null } doc:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "file"u8);
                    w.WritePropertyName("file"u8);
                    w.WriteStartObject();
                    w.WriteString("filename"u8, DocumentName(doc));
                    w.WriteString("file_data"u8, doc.AsUrl());
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case IrImage { IsImage: false }:
                    break; // a document by URL has no Chat Completions form (drop table)
                case IrImage img:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "image_url"u8);
                    w.WritePropertyName("image_url"u8);
                    w.WriteStartObject();
                    w.WriteString("url"u8, img.AsUrl());
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }
        }

        w.WriteEndArray();
    }

    /// <summary>A file name for a document part (OpenAI and Responses require one): the media type's extension.</summary>
    internal static string DocumentName(IrImage doc) => doc.MediaType switch
    {
        "application/pdf" => "document.pdf",
        "text/plain" => "document.txt",
        _ => "document",
    };

    /// <summary>
    /// The OpenAI tools array, left out when there are none: Chat Completions and Ollama nest each definition under
    /// <c>function</c>; Responses (<paramref name="nested"/> false) has it flat and says <c>strict: false</c>, since
    /// strict would force every property to be required and the source dialects do not promise that.
    /// </summary>
    internal static void WriteFunctionTools(Utf8JsonWriter w, ImmutableArray<IrTool> tools, bool nested)
    {
        if (tools.IsDefaultOrEmpty)
        {
            return;
        }

        w.WritePropertyName("tools"u8);
        w.WriteStartArray();
        foreach (var t in tools)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "function"u8);
            if (nested)
            {
                w.WritePropertyName("function"u8);
                w.WriteStartObject();
            }

            w.WriteString("name"u8, t.Name);
            JsonWrite.StringIf(w, "description", t.Description);
            w.WritePropertyName("parameters"u8);
            JsonWrite.RawOrString(w, t.ParametersJson, EmptySchema);
            if (nested)
            {
                w.WriteEndObject();
            }
            else
            {
                w.WriteBoolean("strict"u8, false);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

}
