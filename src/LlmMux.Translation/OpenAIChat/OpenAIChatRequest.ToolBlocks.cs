using System.Collections.Immutable;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIChat;

/// <summary>
/// Anthropic-style <c>tool_use</c> / <c>tool_result</c> content parts inside Chat Completions messages. Cursor sends
/// its agent's tool loop this way to <c>/v1/chat/completions</c> when the model is a Claude one; they mean what the
/// standard <c>tool_calls</c> and <c>role: "tool"</c> messages mean, and become the same IR.
/// </summary>
internal static partial class OpenAIChatRequest
{
    private static IrToolCall ToolUsePart(ReadOnlySpan<byte> input, Range id, Range name, Range arguments)
    {
        string? args = null;
        if (!arguments.Equals(default(Range)))
        {
            var r = JsonRead.At(input, arguments);
            args = r.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.String => r.GetString(),
                JsonTokenType.StartObject => System.Text.Encoding.UTF8.GetString(input[arguments]),
                _ => throw TranslationException.Type("tool_use.input", "an object"),
            };
        }

        return new IrToolCall(
            JsonRead.StrAt(input, id, "id") ?? Ids.NewCallId(),
            JsonRead.StrAt(input, name, "name") ?? throw TranslationException.Missing("tool_use.name"),
            args is { Length: > 0 } ? args : "{}");
    }

    private static IrToolResult ToolResultPart(ReadOnlySpan<byte> input, Range toolUseId, Range content, Range isError)
    {
        ImmutableArray<IrPart> result = [];
        if (!content.Equals(default(Range)))
        {
            var r = JsonRead.At(input, content);
            result = ReadContent(ref r, input[content]);
        }

        bool error = false;
        if (!isError.Equals(default(Range)))
        {
            var e = JsonRead.At(input, isError);
            error = JsonRead.Bool(ref e, "is_error") ?? false;
        }

        return new IrToolResult(JsonRead.StrAt(input, toolUseId, "tool_use_id") ?? throw TranslationException.Missing("tool_result.tool_use_id"), null, result, error);
    }

    /// <summary>A user message's <c>tool_result</c> parts answer the previous assistant turn: they become its tool
    /// results, and what else the message says stays a user turn after them. False when it had none.</summary>
    private static bool TakeToolResults(ref ImmutableArray<IrPart> content, ChatDecode state)
    {
        if (!content.Any(p => p is IrToolResult))
        {
            return false;
        }

        var rest = ImmutableArray.CreateBuilder<IrPart>(content.Length);
        foreach (var part in content)
        {
            if (part is IrToolResult result)
            {
                (state.PendingResults ??= []).Add(result);
            }
            else
            {
                rest.Add(part);
            }
        }

        state.FlushResults();
        content = rest.ToImmutable();
        return true;
    }
}
