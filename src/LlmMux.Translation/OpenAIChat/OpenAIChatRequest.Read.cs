using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>
/// Chat Completions request body → IR in one <see cref="Utf8JsonReader"/> pass, no document built. Rare members
/// (legacy function calling, tool_choice objects, response_format, file parts) are small and read with the element
/// accessors on their own slice.
/// </summary>
internal static partial class OpenAIChatRequest
{
    public static IrRequest Decode(ReadOnlyMemory<byte> body)
    {
        var input = body.Span;
        var r = JsonRead.RootReader(input);
        var state = new ChatDecode();
        bool sawMessages = false;
        var tools = new List<IrTool>();
        var functions = new List<IrTool>();
        string? user = null;
        string? effort = null;
        bool? parallel = null;
        int? maxCompletion = null;
        long? seed = null;
        Range toolChoice = default;
        Range functionCall = default;
        Range streamOptions = default;
        Range responseFormat = default;
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
                state.Reset();
                sawMessages = JsonRead.Array(ref r, "messages");
                if (sawMessages)
                {
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        ReadMessage(ref r, body, state);
                    }

                    state.FlushResults();
                }
            }
            else if (r.ValueTextEquals("tools"u8))
            {
                r.Read();
                tools.Clear();
                ReadTools(ref r, input, tools, "tools", wrapped: true);
            }
            else if (r.ValueTextEquals("max_completion_tokens"u8))
            {
                r.Read();
                maxCompletion = JsonRead.Int(ref r, "max_completion_tokens");
            }
            else if (r.ValueTextEquals("seed"u8))
            {
                r.Read();
                seed = JsonRead.Long(ref r, "seed");
            }
            else if (r.ValueTextEquals("user"u8))
            {
                r.Read();
                user = JsonRead.Str(ref r, "user");
            }
            else if (r.ValueTextEquals("reasoning_effort"u8))
            {
                r.Read();
                effort = JsonRead.Str(ref r, "reasoning_effort");
            }
            else if (r.ValueTextEquals("parallel_tool_calls"u8))
            {
                r.Read();
                parallel = JsonRead.Bool(ref r, "parallel_tool_calls");
            }
            else if (r.ValueTextEquals("functions"u8))
            {
                r.Read();
                functions.Clear();
                ReadTools(ref r, input, functions, "functions", wrapped: false);
            }
            else
            {
                bool choice = r.ValueTextEquals("tool_choice"u8);
                bool call = !choice && r.ValueTextEquals("function_call"u8);
                bool options = !choice && !call && r.ValueTextEquals("stream_options"u8);
                bool format = !choice && !call && !options && r.ValueTextEquals("response_format"u8);
                bool stops = !choice && !call && !options && !format && r.ValueTextEquals("stop"u8);
                r.Read();
                var value = JsonRead.Slice(ref r);
                if (choice)
                {
                    toolChoice = value;
                }
                else if (call)
                {
                    functionCall = value;
                }
                else if (options)
                {
                    streamOptions = value;
                }
                else if (format)
                {
                    responseFormat = value;
                }
                else if (stops)
                {
                    stop = value;
                }
            }
        }

        JsonRead.EndOfBody(ref r);
        if (!sawMessages)
        {
            throw TranslationException.Missing("messages");
        }

        tools.AddRange(functions);
        IrToolChoice? choiceValue;
        bool includeUsage;
        ImmutableArray<string> stopValue;
        IrResponseFormat? responseFormatValue;
        using (var rare = RareMembers.Parse(body, toolChoice, functionCall, streamOptions, responseFormat, stop))
        {
            choiceValue = DecodeToolChoice(rare.Root);
            includeUsage = rare.Root.Obj("stream_options"u8) is { } so && (so.Bool("include_usage"u8) ?? false);
            stopValue = rare.Root.StrOrStrArray("stop"u8);
            responseFormatValue = DecodeResponseFormat(rare.Root);
        }

        return new IrRequest
        {
            Model = common.Model,
            System = state.System.Count == 0 ? [] : [.. state.System],
            Messages = ImmutableCollectionsMarshal.AsImmutableArray(state.Messages.ToArray()),
            Tools = tools.Count == 0 ? [] : ImmutableCollectionsMarshal.AsImmutableArray(tools.ToArray()),
            ToolChoice = choiceValue,
            Stream = common.Stream ?? false,
            StreamIncludeUsage = includeUsage,
            ParallelToolCalls = parallel,
            User = user,
            Params = new IrGenerationParams
            {
                MaxTokens = maxCompletion ?? common.MaxTokens,
                Temperature = common.Temperature,
                TopP = common.TopP,
                TopK = common.TopK,
                Stop = stopValue,
                Seed = seed,
                Reasoning = effort is not null ? new IrReasoningConfig(effort, null) : null,
                ResponseFormat = responseFormatValue,
            },
        };
    }

    private static readonly string[] Roles = ["user", "assistant", "tool", "system", "developer"];
    private static readonly string[] PartTypes = ["text", "image_url"];
    private static readonly string[] ToolTypes = ["function"];

    private static void ReadMessage(ref Utf8JsonReader r, ReadOnlyMemory<byte> body, ChatDecode state)
    {
        var input = body.Span;
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type("messages[]", "an object");
        }

        string? role = null;
        ImmutableArray<IrPart> content = [];
        Range name = default, callId = default, reasoningContent = default, reasoning = default, refusal = default, toolCalls = default, functionCall = default;
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
                content = ReadContent(ref r, body.Span);
            }
            else
            {
                ref Range slot = ref r.ValueTextEquals("tool_calls"u8) ? ref toolCalls
                    : ref r.ValueTextEquals("tool_call_id"u8) ? ref callId
                    : ref r.ValueTextEquals("name"u8) ? ref name
                    : ref r.ValueTextEquals("reasoning_content"u8) ? ref reasoningContent
                    : ref r.ValueTextEquals("reasoning"u8) ? ref reasoning
                    : ref r.ValueTextEquals("refusal"u8) ? ref refusal
                    : ref r.ValueTextEquals("function_call"u8) ? ref functionCall
                    : ref state.Ignored;
                r.Read();
                slot = JsonRead.Slice(ref r);
            }
        }

        if (role is null)
        {
            throw TranslationException.Missing("role");
        }

        if (role != "tool")
        {
            state.FlushResults();
        }

        switch (role)
        {
            case "system":
            case "developer":
                state.System.Add(IrPartText.Join(content));
                break;
            case "assistant":
                state.Messages.Add(new IrMessage(IrRole.Assistant, Assistant(body, content, reasoningContent, reasoning, refusal, toolCalls, functionCall, state.LegacyCalls)));
                break;
            case "tool":
            case "function":
                // Legacy "function" results carry only the name: pair them with the call made under that name.
                string? resultName = JsonRead.StrAt(input, name, "name");
                string? id = JsonRead.StrAt(input, callId, "tool_call_id");
                if (id is null && resultName is not null && state.LegacyCalls.Waiting.TryGetValue(resultName, out var waiting) && waiting.Count > 0)
                {
                    id = waiting.Dequeue();
                }

                (state.PendingResults ??= []).Add(new IrToolResult(
                    id ?? resultName ?? throw TranslationException.Missing("messages[].tool_call_id"),
                    resultName,
                    content));
                break;
            default:
                state.Messages.Add(new IrMessage(IrRole.User, content));
                break;
        }
    }

    private static ImmutableArray<IrPart> Assistant(
        ReadOnlyMemory<byte> body, ImmutableArray<IrPart> content, Range reasoningContent, Range reasoning, Range refusal, Range toolCalls, Range functionCall, LegacyCalls legacyCalls)
    {
        var input = body.Span;
        var parts = default(SmallList<IrPart>);
        // DeepSeek / vLLM style reasoning echo; no signature exists in this dialect.
        var thought = JsonRead.StrAt(input, reasoningContent, "reasoning_content");
        if (thought is null && !reasoning.Equals(default(Range)))
        {
            var rr = JsonRead.At(input, reasoning);
            thought = rr.TokenType == JsonTokenType.String ? rr.GetString() : null;
        }

        if (!string.IsNullOrEmpty(thought))
        {
            parts.Add(new IrReasoning(thought));
        }

        parts.AddRange(content);
        if (JsonRead.StrAt(input, refusal, "refusal") is { Length: > 0 } refusalText)
        {
            parts.Add(new IrText(refusalText));
        }

        if (!toolCalls.Equals(default(Range)))
        {
            var r = JsonRead.At(input, toolCalls);
            if (JsonRead.Array(ref r, "tool_calls"))
            {
                var slice = input[toolCalls];
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    parts.Add(ReadToolCall(ref r, body[toolCalls], slice));
                }
            }
        }

        if (!functionCall.Equals(default(Range)))
        {
            using var doc = JsonRead.ParseValue(body, functionCall);
            var fc = doc.RootElement;
            if (fc.ValueKind != JsonValueKind.Null)
            {
                parts.Add(legacyCalls.Call(fc.ExpectObjectValue("function_call")));
            }
        }

        return parts.ToImmutable();
    }

    private static IrToolCall ReadToolCall(ref Utf8JsonReader r, ReadOnlyMemory<byte> body, ReadOnlySpan<byte> input)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type("tool_calls[]", "an object");
        }

        string? id = null;
        string? name = null;
        string? arguments = null;
        bool sawFunction = false;
        Range extra = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                id = JsonRead.Str(ref r, "id");
            }
            else if (r.ValueTextEquals("function"u8))
            {
                r.Read();
                sawFunction = JsonRead.Object(ref r, "function");
                if (sawFunction)
                {
                    (name, arguments) = ReadFunction(ref r, input);
                }
            }
            else
            {
                bool isExtra = r.ValueTextEquals("extra_content"u8);
                r.Read();
                var value = JsonRead.Slice(ref r);
                if (isExtra)
                {
                    extra = value;
                }
            }
        }

        if (!sawFunction)
        {
            throw TranslationException.Missing("tool_calls[].function");
        }

        string? signature = null;
        if (!extra.Equals(default(Range)))
        {
            using var doc = JsonRead.ParseValue(body, extra);
            signature = doc.RootElement.ValueKind == JsonValueKind.Null ? null
                : doc.RootElement.ExpectObjectValue("extra_content").Obj("google"u8)?.Str("thought_signature"u8);
        }

        return new IrToolCall(id ?? Ids.NewCallId(), name ?? throw TranslationException.Missing("name"), arguments ?? "{}", signature);
    }

    /// <summary>A <c>function</c> object: its name and arguments (<see cref="ArgumentsOf"/>'s rules).</summary>
    private static (string? Name, string? Arguments) ReadFunction(ref Utf8JsonReader r, ReadOnlySpan<byte> input)
    {
        string? name = null;
        string? arguments = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = JsonRead.Str(ref r, "name");
            }
            else if (r.ValueTextEquals("arguments"u8))
            {
                r.Read();
                // Some clients send arguments as an object instead of the documented string.
                arguments = r.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.String => r.GetString() is { Length: > 0 } s ? s : "{}",
                    JsonTokenType.StartObject => JsonRead.RawObject(ref r, input, "function.arguments"),
                    _ => throw TranslationException.Type("function.arguments", "a string"),
                };
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return (name, arguments);
    }

    private static ImmutableArray<IrPart> ReadContent(ref Utf8JsonReader r, ReadOnlySpan<byte> input)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return [];
            case JsonTokenType.String:
                return r.ValueSpan.Length == 0 ? [] : [new IrText(r.GetString()!)];
            case JsonTokenType.StartArray:
                break;
            default:
                throw TranslationException.Type("messages[].content", "a string or an array");
        }

        var parts = default(SmallList<IrPart>);
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (ReadPart(ref r, input) is { } part)
            {
                parts.Add(part);
            }
        }

        return parts.ToImmutable();
    }

    private static IrPart? ReadPart(ref Utf8JsonReader r, ReadOnlySpan<byte> input)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw TranslationException.Type("content[]", "an object");
        }

        string? type = null;
        string? inlineText = null;
        Range text = default, imageUrl = default, refusal = default, file = default, ignored = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (JsonRead.TryReadPartHead(ref r, PartTypes, ref type, ref inlineText, ref text))
            {
                continue;
            }

            ref Range slot = ref r.ValueTextEquals("text"u8) ? ref text
                : ref r.ValueTextEquals("image_url"u8) ? ref imageUrl
                : ref r.ValueTextEquals("refusal"u8) ? ref refusal
                : ref r.ValueTextEquals("file"u8) ? ref file
                : ref ignored;
            r.Read();
            slot = JsonRead.Slice(ref r);
        }

        switch (type)
        {
            case "text":
            case "input_text":
            case "output_text":
                return new IrText(JsonRead.StrAt(input, text, "text") ?? inlineText ?? string.Empty);
            case "image_url":
                return ImageAt(input, imageUrl);
            case "refusal":
                return new IrText(JsonRead.StrAt(input, refusal, "refusal") ?? string.Empty);
            case "file":
                return InlineFileAt(input, file);
            default:
                return null; // input_audio: no IR form (drop table)
        }
    }

    /// <summary>A <c>file</c> part's value: only inline files (data: URLs in <c>file_data</c>) can travel; file ids point
    /// into OpenAI's storage (drop table).</summary>
    private static IrImage? InlineFileAt(ReadOnlySpan<byte> input, Range value)
    {
        if (value.Equals(default(Range)))
        {
            return null;
        }

        var r = JsonRead.At(input, value);
        if (!JsonRead.Object(ref r, "file"))
        {
            return null;
        }

        string? data = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool isData = r.ValueTextEquals("file_data"u8);
            r.Read();
            if (isData)
            {
                data = JsonRead.Str(ref r, "file_data");
            }
            else
            {
                r.Skip();
            }
        }

        return data is not null && IrImage.FromUrl(data) is { Base64Data: not null } inline ? inline : null;
    }

    /// <summary>An <c>image_url</c> value (a string or <c>{url}</c>); a data: URL is split straight from its UTF-8
    /// bytes, without the URL string in between.</summary>
    private static IrImage ImageAt(ReadOnlySpan<byte> input, Range value)
    {
        if (value.Equals(default(Range)))
        {
            throw TranslationException.Missing("image_url");
        }

        var r = JsonRead.At(input, value);
        if (r.TokenType == JsonTokenType.Null)
        {
            throw TranslationException.Missing("image_url");
        }

        if (r.TokenType == JsonTokenType.StartObject)
        {
            bool found = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool isUrl = r.ValueTextEquals("url"u8);
                r.Read();
                if (isUrl && r.TokenType != JsonTokenType.Null)
                {
                    if (r.TokenType != JsonTokenType.String)
                    {
                        throw TranslationException.Type("url", "a string");
                    }

                    found = true;
                    break;
                }

                r.Skip();
            }

            if (!found)
            {
                throw TranslationException.Missing("url");
            }
        }
        else if (r.TokenType != JsonTokenType.String)
        {
            throw TranslationException.Missing("url");
        }

        var raw = r.ValueSpan;
        if (!r.ValueIsEscaped && raw.StartsWith("data:"u8))
        {
            int comma = raw.IndexOf((byte)',');
            int semi = raw.IndexOf(";base64"u8);
            if (comma > 5 && semi > 0 && semi < comma)
            {
                return new IrImage(null, System.Text.Encoding.UTF8.GetString(raw[(comma + 1)..]), System.Text.Encoding.UTF8.GetString(raw[5..semi]));
            }
        }

        return IrImage.FromUrl(r.GetString()!);
    }

    /// <summary><c>tools</c> (<paramref name="wrapped"/>: <c>{type, function:{…}}</c>) or legacy <c>functions</c>.</summary>
    private static void ReadTools(ref Utf8JsonReader r, ReadOnlySpan<byte> input, List<IrTool> tools, string path, bool wrapped)
    {
        if (!JsonRead.Array(ref r, path))
        {
            return;
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw TranslationException.Type(path + "[]", "an object");
            }

            if (!wrapped)
            {
                tools.Add(ReadFunctionTool(ref r, input));
                continue;
            }

            string? type = null;
            Range function = default;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    type = JsonRead.Str(ref r, "type", ToolTypes);
                }
                else if (r.ValueTextEquals("function"u8))
                {
                    r.Read();
                    function = JsonRead.Slice(ref r);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (type is not null && type != "function")
            {
                continue; // custom / built-in tools have no IR form
            }

            var f = function.Equals(default(Range)) ? default : JsonRead.At(input, function);
            if (function.Equals(default(Range)) || !JsonRead.Object(ref f, "function"))
            {
                throw TranslationException.Missing("tools[].function");
            }

            tools.Add(ReadFunctionTool(ref f, input[function]));
        }
    }

    /// <summary>A function definition <c>{name, description, parameters}</c>, the reader on its start.</summary>
    private static IrTool ReadFunctionTool(ref Utf8JsonReader r, ReadOnlySpan<byte> input)
    {
        string? name = null;
        string? description = null;
        string? parameters = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                name = JsonRead.Str(ref r, "name");
            }
            else if (r.ValueTextEquals("description"u8))
            {
                r.Read();
                description = JsonRead.Str(ref r, "description");
            }
            else if (r.ValueTextEquals("parameters"u8))
            {
                r.Read();
                parameters = r.TokenType == JsonTokenType.Null ? null : JsonRead.RawObject(ref r, input, "parameters");
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return new IrTool(name ?? throw TranslationException.Missing("name"), description, parameters ?? EmptySchema);
    }

    /// <summary>The messages of one request as they are decoded, with tool results waiting to be grouped.</summary>
    private sealed class ChatDecode
    {
        public Range Ignored;

        public List<string> System { get; } = [];

        public List<IrMessage> Messages { get; } = [];

        public List<IrPart>? PendingResults { get; set; }

        public LegacyCalls LegacyCalls { get; private set; } = new();

        public void FlushResults()
        {
            if (PendingResults is not null)
            {
                Messages.Add(new IrMessage(IrRole.Tool, ImmutableCollectionsMarshal.AsImmutableArray(PendingResults.ToArray())));
                PendingResults = null;
            }
        }

        public void Reset()
        {
            System.Clear();
            Messages.Clear();
            PendingResults = null;
            LegacyCalls = new LegacyCalls();
        }
    }

    /// <summary>The rare top-level members, gathered into one small object read with the element accessors.</summary>
    private readonly struct RareMembers : IDisposable
    {
        private readonly JsonDocument? _doc;

        private RareMembers(JsonDocument? doc) => _doc = doc;

        public JsonElement Root => _doc?.RootElement ?? default;

        public static RareMembers Parse(ReadOnlyMemory<byte> body, Range toolChoice, Range functionCall, Range streamOptions, Range responseFormat, Range stop)
        {
            Range none = default;
            if (toolChoice.Equals(none) && functionCall.Equals(none) && streamOptions.Equals(none) && responseFormat.Equals(none) && stop.Equals(none))
            {
                return default;
            }

            var input = body.Span;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                w.WriteStartObject();
                foreach (var (name, value) in Members(toolChoice, functionCall, streamOptions, responseFormat, stop))
                {
                    if (!value.Equals(default(Range)))
                    {
                        w.WritePropertyName(name);
                        w.WriteRawValue(input[value], skipInputValidation: true);
                    }
                }

                w.WriteEndObject();
            }

            return new RareMembers(JsonDocument.Parse(buffer.WrittenMemory));
        }

        public void Dispose() => _doc?.Dispose();

        private static (string Name, Range Value)[] Members(Range toolChoice, Range functionCall, Range streamOptions, Range responseFormat, Range stop) =>
            [("tool_choice", toolChoice), ("function_call", functionCall), ("stream_options", streamOptions), ("response_format", responseFormat), ("stop", stop)];
    }
}
