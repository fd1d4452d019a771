using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>IR → request body (the decoding half is in ResponsesRequest.cs).</summary>
internal static partial class ResponsesRequest
{
    public static void Encode(IrRequest r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        JsonWrite.StringIf(w, "model", r.Model);
        if (!r.System.IsDefaultOrEmpty)
        {
            w.WriteString("instructions"u8, string.Join("\n\n", r.System));
        }

        w.WritePropertyName("input"u8);
        w.WriteStartArray();
        foreach (var m in r.Messages)
        {
            switch (m.Role)
            {
                case IrRole.Assistant:
                    WriteAssistant(w, m);
                    break;
                default:
                    WriteUserOrTool(w, m);
                    break;
            }
        }

        w.WriteEndArray();

        OpenAIChat.OpenAIChatRequest.WriteFunctionTools(w, r.Tools, nested: false);

        if (r.ToolChoice is { } tc)
        {
            if (tc.Kind == IrToolChoiceKind.Specific)
            {
                w.WritePropertyName("tool_choice"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "function"u8);
                w.WriteString("name"u8, tc.Name);
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

        if (r.ParallelToolCalls is { } ptc)
        {
            w.WriteBoolean("parallel_tool_calls"u8, ptc);
        }

        var p = r.Params;
        JsonWrite.NumberIf(w, "max_output_tokens", p.MaxTokens);
        JsonWrite.NumberIf(w, "temperature", p.Temperature);
        JsonWrite.NumberIf(w, "top_p", p.TopP);
        if (ReasoningMap.Effort(p.Reasoning) is { } effort)
        {
            w.WritePropertyName("reasoning"u8);
            w.WriteStartObject();
            w.WriteString("effort"u8, effort);
            if (p.Reasoning!.IncludeThoughts is not false && effort != "none")
            {
                w.WriteString("summary"u8, "auto"u8);
            }

            w.WriteEndObject();
            // Stateless replay of reasoning needs the encrypted content back.
            w.WritePropertyName("include"u8);
            w.WriteStartArray();
            w.WriteStringValue("reasoning.encrypted_content"u8);
            w.WriteEndArray();
        }

        if (p.ResponseFormat is { Kind: not IrResponseFormatKind.Text } rf)
        {
            w.WritePropertyName("text"u8);
            w.WriteStartObject();
            w.WritePropertyName("format"u8);
            w.WriteStartObject();
            if (rf.Kind == IrResponseFormatKind.JsonObject)
            {
                w.WriteString("type"u8, "json_object"u8);
            }
            else
            {
                w.WriteString("type"u8, "json_schema"u8);
                w.WriteString("name"u8, rf.Name ?? "response");
                w.WritePropertyName("schema"u8);
                JsonWrite.RawOrString(w, rf.SchemaJson);
                if (rf.Strict is { } strict)
                {
                    w.WriteBoolean("strict"u8, strict);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        OpenAIUserField.WriteIf(w, r.User);
        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
        }

        w.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter w, IrMessage m)
    {
        foreach (var part in m.Parts)
        {
            switch (part)
            {
                case IrReasoning { Signature: { Length: > 0 } sig } rs:
                    // Only reasoning with encrypted content can be replayed; summaries alone are not accepted back.
                    w.WriteStartObject();
                    w.WriteString("type"u8, "reasoning"u8);
                    w.WritePropertyName("summary"u8);
                    w.WriteStartArray();
                    if (rs.Text.Length > 0)
                    {
                        w.WriteStartObject();
                        w.WriteString("type"u8, "summary_text"u8);
                        w.WriteString("text"u8, rs.Text);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("encrypted_content"u8, sig);
                    w.WriteEndObject();
                    break;
                case IrText { Text.Length: > 0 } t:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "message"u8);
                    w.WriteString("role"u8, "assistant"u8);
                    w.WritePropertyName("content"u8);
                    w.WriteStartArray();
                    w.WriteStartObject();
                    w.WriteString("type"u8, "output_text"u8);
                    w.WriteString("text"u8, t.Text);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                    break;
                case IrToolCall c:
                    w.WriteStartObject();
                    w.WriteString("type"u8, "function_call"u8);
                    w.WriteString("call_id"u8, c.Id);
                    w.WriteString("name"u8, c.Name);
                    w.WriteString("arguments"u8, c.ArgumentsJson);
                    w.WriteEndObject();
                    break;
                default:
                    break;
            }
        }
    }

    private static void WriteUserOrTool(Utf8JsonWriter w, IrMessage m)
    {
        bool hasContent = false;
        foreach (var part in m.Parts)
        {
            if (part is IrToolResult tr)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "function_call_output"u8);
                w.WriteString("call_id"u8, tr.ToolCallId);
                if (tr.Content.Any(x => x is IrImage))
                {
                    // Output may be a content list, which is how a tool returns images here.
                    w.WritePropertyName("output"u8);
                    w.WriteStartArray();
                    foreach (var x in tr.Content)
                    {
                        WriteInputPart(w, x);
                    }

                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("output"u8, tr.JoinedText());
                }

                w.WriteEndObject();
            }
            else if (part is IrText or IrImage)
            {
                hasContent = true;
            }
        }

        if (!hasContent)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "user"u8);
        w.WritePropertyName("content"u8);
        w.WriteStartArray();
        foreach (var part in m.Parts)
        {
            if (part is IrText or IrImage)
            {
                WriteInputPart(w, part);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One content item of a user message or a function_call_output list.</summary>
    private static void WriteInputPart(Utf8JsonWriter w, IrPart part)
    {
        if (part is IrText t)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "input_text"u8);
            w.WriteString("text"u8, t.Text);
            w.WriteEndObject();
        }
        else if (part is IrImage { IsImage: false } doc)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "input_file"u8);
            if (doc.Base64Data is not null)
            {
                w.WriteString("filename"u8, OpenAIChat.OpenAIChatRequest.DocumentName(doc));
                w.WriteString("file_data"u8, doc.AsUrl());
            }
            else
            {
                w.WriteString("file_url"u8, doc.Url);
            }

            w.WriteEndObject();
        }
        else if (part is IrImage img)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "input_image"u8);
            if (img.Url is { } url && url.StartsWith("file-", StringComparison.Ordinal))
            {
                w.WriteString("file_id"u8, url);
            }
            else
            {
                w.WriteString("image_url"u8, img.AsUrl());
            }

            w.WriteString("detail"u8, "auto"u8);
            w.WriteEndObject();
        }
    }
}
