using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.Anthropic;

/// <summary>
/// Messages API request body → IR in one <see cref="Utf8JsonReader"/> pass, no document built. Values whose meaning
/// depends on a sibling that may come later (a block's fields before its <c>type</c>, content before <c>role</c>) are
/// kept as slices and read once it is known.
/// </summary>
internal static partial class AnthropicRequest
{
    public static IrRequest Decode(ReadOnlyMemory<byte> body)
    {
        var input = body.Span;
        var r = JsonRead.RootReader(input);
        var system = new List<string>();
        var fromMessages = new List<string>(); // system-role messages, after the system field whatever the order
        var messages = new List<IrMessage>();
        var tools = new List<IrTool>();
        bool sawMessages = false;
        string? user = null;
        IrToolChoice? choice = null;
        bool? parallel = null;
        IrReasoningConfig? reasoning = null;
        string? effort = null;
        Range stop = default;
        var common = default(CommonRequestFields);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (common.TryRead(ref r))
            {
                continue;
            }

            if (r.ValueTextEquals("messages"u8))
            {
                r.Read();
                messages.Clear();
                fromMessages.Clear();
                sawMessages = JsonRead.Array(ref r, "messages");
                while (sawMessages && r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    ReadMessage(ref r, input, messages, fromMessages);
                }
            }
            else if (r.ValueTextEquals("system"u8))
            {
                r.Read();
                system.Clear();
                ReadSystem(ref r, system);
            }
            else if (r.ValueTextEquals("tools"u8))
            {
                r.Read();
                tools.Clear();
                ReadTools(ref r, input, tools);
            }
            else if (r.ValueTextEquals("metadata"u8))
            {
                r.Read();
                user = JsonRead.Object(ref r, "metadata") ? StringMember(ref r, "user_id"u8, "user_id") : null;
            }
            else if (r.ValueTextEquals("output_config"u8))
            {
                // Only the effort has a counterpart elsewhere; the rest of output_config is Anthropic's own.
                r.Read();
                effort = JsonRead.Object(ref r, "output_config") ? StringMember(ref r, "effort"u8, "output_config.effort") : null;
            }
            else if (r.ValueTextEquals("tool_choice"u8) || r.ValueTextEquals("thinking"u8) || r.ValueTextEquals("stop_sequences"u8))
            {
                // Small and rare: read with the element accessors, one rule set for both decoders.
                bool isChoice = r.ValueTextEquals("tool_choice"u8);
                bool isThinking = r.ValueTextEquals("thinking"u8);
                r.Read();
                var value = JsonRead.Slice(ref r);
                if (!isChoice && !isThinking)
                {
                    stop = value;
                    continue;
                }

                using var doc = JsonRead.ParseValue(body, value);
                var el = doc.RootElement;
                bool isNull = el.ValueKind == JsonValueKind.Null;
                if (isChoice)
                {
                    (choice, parallel) = isNull ? (null, null) : DecodeToolChoice(el.ExpectObjectValue("tool_choice"));
                }
                else
                {
                    reasoning = isNull ? null : DecodeThinking(el.ExpectObjectValue("thinking"));
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        JsonRead.EndOfBody(ref r);
        if (!sawMessages)
        {
            throw TranslationException.Missing("messages");
        }

        system.AddRange(fromMessages);
        reasoning = WithEffort(reasoning, effort);
        var stopValue = ImmutableArray<string>.Empty;
        if (!stop.Equals(default(Range)))
        {
            using var doc = JsonRead.ParseValue(body, stop);
            stopValue = JsonRead.StrOrStrArrayValue(doc.RootElement, "stop_sequences");
        }

        return new IrRequest
        {
            Model = common.Model,
            System = system.Count == 0 ? [] : [.. system],
            Messages = ImmutableCollectionsMarshal.AsImmutableArray(messages.ToArray()),
            Tools = tools.Count == 0 ? [] : ImmutableCollectionsMarshal.AsImmutableArray(tools.ToArray()),
            ToolChoice = choice,
            ParallelToolCalls = parallel,
            Stream = common.Stream ?? false,
            StreamIncludeUsage = true,
            User = user,
            Params = new IrGenerationParams
            {
                MaxTokens = common.MaxTokens,
                Temperature = common.Temperature,
                TopP = common.TopP,
                TopK = common.TopK,
                Stop = stopValue,
                Reasoning = reasoning,
            },
        };
    }

    private static readonly string[] Roles = ["user", "assistant", "system"];
    private static readonly string[] BlockTypes = ["text", "image", "tool_use", "tool_result", "thinking"];

    private static void ReadSystem(ref Utf8JsonReader r, List<string> system)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.String:
                system.Add(r.GetString()!);
                return;
            case JsonTokenType.StartArray:
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType != JsonTokenType.StartObject)
                    {
                        throw TranslationException.Type("system[]", "an object");
                    }

                    system.Add(StringMember(ref r, "text"u8, "text") ?? string.Empty);
                }

                return;
            default:
                throw TranslationException.Type("system", "a string or an array of text blocks");
        }
    }

    private static void ReadMessage(ref Utf8JsonReader r, ReadOnlySpan<byte> input, List<IrMessage> messages, List<string> system)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type("messages[]", "an object");
        }

        string? role = null;
        Range content = default;
        ImmutableArray<IrPart>? parts = null;
        string? systemText = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("role"u8))
            {
                r.Read();
                role = JsonRead.Str(ref r, "role", Roles);
            }
            else if (r.ValueTextEquals("content"u8))
            {
                r.Read();
                if (role is null)
                {
                    content = JsonRead.Slice(ref r);
                }
                else if (role == "system")
                {
                    systemText = SystemMessageText(ref r);
                }
                else if (r.TokenType != JsonTokenType.Null)
                {
                    parts = ReadBlocks(ref r, input, "messages[].content");
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (role is null)
        {
            throw TranslationException.Missing("role");
        }

        if (parts is null && systemText is null && !content.Equals(default(Range)))
        {
            var c = JsonRead.At(input, content);
            if (role == "system")
            {
                systemText = SystemMessageText(ref c);
            }
            else if (c.TokenType != JsonTokenType.Null)
            {
                parts = ReadBlocks(ref c, input[content], "messages[].content");
            }
        }

        if (role == "system")
        {
            // Claude Code sends some instructions as a system-role message inside messages; they are system prompt.
            system.Add(systemText ?? throw TranslationException.Missing("content"));
            return;
        }

        var blocks = parts ?? throw TranslationException.Missing("content");
        if (role == "assistant")
        {
            messages.Add(new IrMessage(IrRole.Assistant, blocks));
            return;
        }

        // A user turn carries tool results first; IR keeps them in their own Tool message.
        int results = 0;
        foreach (var p in blocks)
        {
            results += p is IrToolResult ? 1 : 0;
        }

        if (results == 0)
        {
            messages.Add(new IrMessage(IrRole.User, blocks));
            return;
        }

        if (results == blocks.Length)
        {
            messages.Add(new IrMessage(IrRole.Tool, blocks));
            return;
        }

        var toolResults = default(SmallList<IrPart>);
        var rest = default(SmallList<IrPart>);
        foreach (var p in blocks)
        {
            if (p is IrToolResult)
            {
                toolResults.Add(p);
            }
            else
            {
                rest.Add(p);
            }
        }

        messages.Add(new IrMessage(IrRole.Tool, toolResults.ToImmutable()));
        messages.Add(new IrMessage(IrRole.User, rest.ToImmutable()));
    }

    /// <summary>A system-role message's content: its text, or its text blocks joined.</summary>
    private static string? SystemMessageText(ref Utf8JsonReader r)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return r.GetString();
            case JsonTokenType.StartArray:
                var text = new System.Text.StringBuilder();
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        text.Append(StringMember(ref r, "text"u8, "text"));
                    }
                    else
                    {
                        r.Skip();
                    }
                }

                return text.ToString();
            default:
                throw TranslationException.Type("content", "a string or an array");
        }
    }

    internal static ImmutableArray<IrPart> ReadBlocks(ref Utf8JsonReader r, ReadOnlySpan<byte> input, string path)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.String:
                return r.ValueSpan.Length == 0 ? [] : [new IrText(r.GetString()!)];
            case JsonTokenType.StartArray:
                break;
            default:
                throw TranslationException.Type(path, "a string or an array of blocks");
        }

        var parts = default(SmallList<IrPart>);
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (ReadBlock(ref r, input, path) is { } part)
            {
                parts.Add(part);
            }
        }

        return parts.ToImmutable();
    }

    private static IrPart? ReadBlock(ref Utf8JsonReader r, ReadOnlySpan<byte> input, string path)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type(path + "[]", "an object");
        }

        string? type = null;
        string? inlineText = null;
        Range text = default, source = default, id = default, name = default, inputValue = default, toolUseId = default,
            content = default, isError = default, thinking = default, signature = default, data = default, ignored = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (JsonRead.TryReadPartHead(ref r, BlockTypes, ref type, ref inlineText, ref text))
            {
                continue;
            }

            ref Range slot = ref r.ValueTextEquals("text"u8) ? ref text
                : ref r.ValueTextEquals("source"u8) ? ref source
                : ref r.ValueTextEquals("id"u8) ? ref id
                : ref r.ValueTextEquals("name"u8) ? ref name
                : ref r.ValueTextEquals("input"u8) ? ref inputValue
                : ref r.ValueTextEquals("tool_use_id"u8) ? ref toolUseId
                : ref r.ValueTextEquals("content"u8) ? ref content
                : ref r.ValueTextEquals("is_error"u8) ? ref isError
                : ref r.ValueTextEquals("thinking"u8) ? ref thinking
                : ref r.ValueTextEquals("signature"u8) ? ref signature
                : ref r.ValueTextEquals("data"u8) ? ref data
                : ref ignored;
            r.Read();
            slot = JsonRead.Slice(ref r);
        }

        switch (type ?? throw TranslationException.Missing("type"))
        {
            case "text":
                return new IrText(JsonRead.StrAt(input, text, "text") ?? inlineText ?? string.Empty);
            case "image":
                var (kind, media, value, url, fileId) = ReadSource(input, source, "image.source");
                return kind switch
                {
                    "base64" => new IrImage(null, value ?? throw TranslationException.Missing("data"), media),
                    "url" => IrImage.FromUrl(url ?? throw TranslationException.Missing("url")),
                    "file" => new IrImage(fileId ?? throw TranslationException.Missing("file_id"), null, null),
                    _ => throw TranslationException.Type("image.source.type", "base64, url or file"),
                };
            case "document":
                // PDF documents (base64 or URL) become IR files; plain-text documents become text.
                var (docKind, docMedia, docData, docUrl, _) = ReadSource(input, source, "document.source");
                return docKind switch
                {
                    "base64" => new IrImage(null, docData ?? throw TranslationException.Missing("data"), docMedia ?? "application/pdf"),
                    "url" => new IrImage(docUrl ?? throw TranslationException.Missing("url"), null, "application/pdf"),
                    "text" => new IrText(docData ?? string.Empty),
                    _ => null, // content / file sources: drop table
                };
            case "tool_use":
                return new IrToolCall(
                    JsonRead.StrAt(input, id, "id") ?? throw TranslationException.Missing("id"),
                    JsonRead.StrAt(input, name, "name") ?? throw TranslationException.Missing("name"),
                    RawAt(input, inputValue) ?? "{}");
            case "tool_result":
                var callId = JsonRead.StrAt(input, toolUseId, "tool_use_id") ?? throw TranslationException.Missing("tool_use_id");
                ImmutableArray<IrPart> resultContent = [];
                if (!content.Equals(default(Range)))
                {
                    var c = JsonRead.At(input, content);
                    if (c.TokenType != JsonTokenType.Null)
                    {
                        resultContent = ReadBlocks(ref c, input[content], "tool_result.content");
                    }
                }

                bool error = false;
                if (!isError.Equals(default(Range)))
                {
                    var e = JsonRead.At(input, isError);
                    error = JsonRead.Bool(ref e, "is_error") ?? false;
                }

                return new IrToolResult(callId, null, resultContent, error);
            case "thinking":
                return new IrReasoning(JsonRead.StrAt(input, thinking, "thinking") ?? string.Empty, JsonRead.StrAt(input, signature, "signature"));
            case "redacted_thinking":
                return new IrReasoning(string.Empty, null, JsonRead.StrAt(input, data, "data") ?? throw TranslationException.Missing("data"));
            default:
                return null; // search_result, server_tool_use, …: drop table
        }
    }

    /// <summary>An image or document <c>source</c>: its type and the members those types use (strings checked as such).</summary>
    private static (string? Type, string? MediaType, string? Data, string? Url, string? FileId) ReadSource(ReadOnlySpan<byte> input, Range source, string path)
    {
        if (source.Equals(default(Range)))
        {
            throw TranslationException.Missing(path);
        }

        var r = JsonRead.At(input, source);
        if (!JsonRead.Object(ref r, path[(path.IndexOf('.', StringComparison.Ordinal) + 1)..]))
        {
            throw TranslationException.Missing(path);
        }

        string? type = null, media = null, data = null, url = null, fileId = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int member = r.ValueTextEquals("type"u8) ? 0
                : r.ValueTextEquals("media_type"u8) ? 1
                : r.ValueTextEquals("data"u8) ? 2
                : r.ValueTextEquals("url"u8) ? 3
                : r.ValueTextEquals("file_id"u8) ? 4
                : -1;
            r.Read();
            if (member < 0)
            {
                r.Skip();
                continue;
            }

            string? value = JsonRead.Str(ref r, SourceMembers[member]);
            switch (member)
            {
                case 0: type = value; break;
                case 1: media = value; break;
                case 2: data = value; break;
                case 3: url = value; break;
                default: fileId = value; break;
            }
        }

        return (type, media, data, url, fileId);
    }

    private static readonly string[] SourceMembers = ["type", "media_type", "data", "url", "file_id"];

    private static void ReadTools(ref Utf8JsonReader r, ReadOnlySpan<byte> input, List<IrTool> tools)
    {
        if (!JsonRead.Array(ref r, "tools"))
        {
            return;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw TranslationException.Type("tools[]", "an object");
            }

            string? type = null;
            Range name = default, description = default, schema = default;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    type = JsonRead.Str(ref r, "type");
                    continue;
                }

                bool isName = r.ValueTextEquals("name"u8);
                bool isDescription = !isName && r.ValueTextEquals("description"u8);
                bool isSchema = !isName && !isDescription && r.ValueTextEquals("input_schema"u8);
                r.Read();
                var value = JsonRead.Slice(ref r);
                if (isName)
                {
                    name = value;
                }
                else if (isDescription)
                {
                    description = value;
                }
                else if (isSchema)
                {
                    schema = value;
                }
            }

            if (type is not null && type != "custom")
            {
                continue; // server tools (web_search_*, bash_*, …) have no IR form (drop table)
            }

            string? parameters = null;
            if (!schema.Equals(default(Range)))
            {
                var s = JsonRead.At(input, schema);
                parameters = s.TokenType == JsonTokenType.Null ? null : JsonRead.RawObject(ref s, input[schema], "input_schema");
            }

            tools.Add(new IrTool(
                JsonRead.StrAt(input, name, "name") ?? throw TranslationException.Missing("name"),
                JsonRead.StrAt(input, description, "description"),
                parameters ?? OpenAIChat.OpenAIChatRequest.EmptySchema));
        }
    }

    /// <summary>The string member <paramref name="name"/> of the object the reader is on (others skipped).</summary>
    private static string? StringMember(ref Utf8JsonReader r, ReadOnlySpan<byte> name, string field)
    {
        string? value = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool match = r.ValueTextEquals(name);
            r.Read();
            if (match)
            {
                value = JsonRead.Str(ref r, field);
            }
            else
            {
                r.Skip();
            }
        }

        return value;
    }

    /// <summary>Any value's raw JSON text (tool_use input is kept verbatim, whatever its kind).</summary>
    private static string? RawAt(ReadOnlySpan<byte> input, Range value)
    {
        if (value.Equals(default(Range)))
        {
            return null;
        }

        var raw = input[value];
        return raw.SequenceEqual("null"u8) ? null : System.Text.Encoding.UTF8.GetString(raw);
    }
}
