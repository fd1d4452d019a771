using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmMux.Translation.Tests.History.Strict;

/// <summary>What <c>POST /v1/messages</c> refuses with a 400, as far as history is concerned.</summary>
internal static partial class AnthropicMessagesRules
{
    private static readonly string[] AssistantBlocks = ["text", "thinking", "redacted_thinking", "tool_use"];
    private static readonly string[] UserBlocks = ["text", "image", "document", "tool_result"];

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex ToolUseId();

    public static string? Reject(JsonElement body, IssuedSignatures issued) => StrictRules.Check(() => Validate(body, issued));

    private static void Validate(JsonElement b, IssuedSignatures issued)
    {
        b.Req("model", JsonValueKind.String, "body");
        int maxTokens = b.Req("max_tokens", JsonValueKind.Number, "body").GetInt32();
        var messages = b.Req("messages", JsonValueKind.Array, "body");
        bool thinking = false;
        if (b.Opt("thinking") is { } t && t.Str("type") == "enabled")
        {
            thinking = true;
            int budget = t.Req("budget_tokens", JsonValueKind.Number, "thinking").GetInt32();
            if (budget < 1024)
            {
                throw new Rejected("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
            }

            if (budget >= maxTokens)
            {
                throw new Rejected("`max_tokens` must be greater than `thinking.budget_tokens`");
            }
        }

        var list = messages.EnumerateArray().ToList();
        if (list.Count == 0 || list[0].Str("role") != "user")
        {
            throw new Rejected("messages: first message must use the \"user\" role");
        }

        for (int i = 0; i < list.Count; i++)
        {
            var m = list[i];
            string role = m.Str("role") ?? throw new Rejected($"messages.{i}.role: Field required");
            if (role is not ("user" or "assistant"))
            {
                throw new Rejected($"messages.{i}.role: Input should be 'user' or 'assistant'");
            }

            foreach (var (block, j) in Blocks(m, i))
            {
                string type = block.Str("type") ?? throw new Rejected($"messages.{i}.content.{j}.type: Field required");
                if (Array.IndexOf(role == "assistant" ? AssistantBlocks : UserBlocks, type) < 0)
                {
                    throw new Rejected($"messages.{i}.content.{j}: Input tag '{type}' found using 'type' does not match any of the expected tags");
                }

                switch (type)
                {
                    case "tool_use":
                        string id = block.Req("id", JsonValueKind.String, $"messages.{i}.content.{j}.tool_use").GetString()!;
                        if (!ToolUseId().IsMatch(id))
                        {
                            throw new Rejected($"messages.{i}.content.{j}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'");
                        }

                        block.Req("name", JsonValueKind.String, $"messages.{i}.content.{j}.tool_use");
                        block.Req("input", JsonValueKind.Object, $"messages.{i}.content.{j}.tool_use");
                        break;
                    case "thinking":
                        block.Req("thinking", JsonValueKind.String, $"messages.{i}.content.{j}.thinking");
                        string sig = block.Req("signature", JsonValueKind.String, $"messages.{i}.content.{j}.thinking").GetString()!;
                        if (!issued.Verifies(sig))
                        {
                            throw new Rejected($"messages.{i}.content.{j}: Invalid `signature` in `thinking` block");
                        }

                        break;
                    case "redacted_thinking":
                        if (!issued.Verifies(block.Str("data")))
                        {
                            throw new Rejected($"messages.{i}.content.{j}: Invalid `data` in `redacted_thinking` block");
                        }

                        break;
                    case "tool_result":
                        block.Req("tool_use_id", JsonValueKind.String, $"messages.{i}.content.{j}.tool_result");
                        break;
                    case "text":
                        block.Req("text", JsonValueKind.String, $"messages.{i}.content.{j}.text");
                        break;
                    default:
                        break;
                }
            }
        }

        CheckPairing(list);
        if (thinking)
        {
            CheckFinalAssistantThinks(list);
        }
    }

    private static IEnumerable<(JsonElement Block, int Index)> Blocks(JsonElement m, int i)
    {
        var content = m.Opt("content") ?? throw new Rejected($"messages.{i}.content: Field required");
        if (content.ValueKind == JsonValueKind.String)
        {
            yield break;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new Rejected($"messages.{i}.content: Input should be a valid list");
        }

        int j = 0;
        foreach (var block in content.EnumerateArray())
        {
            yield return (block, j++);
        }
    }

    private static List<string> Ids(JsonElement m, string type, string idName)
    {
        var ids = new List<string>();
        if (m.Opt("content") is { ValueKind: JsonValueKind.Array } c)
        {
            foreach (var block in c.EnumerateArray())
            {
                if (block.Str("type") == type)
                {
                    ids.Add(block.Str(idName)!);
                }
            }
        }

        return ids;
    }

    /// <summary>Every tool_use answered in the very next user message, results first; no result without its call.</summary>
    private static void CheckPairing(List<JsonElement> list)
    {
        for (int i = 0; i < list.Count; i++)
        {
            var results = Ids(list[i], "tool_result", "tool_use_id");
            var previousCalls = i > 0 && list[i - 1].Str("role") == "assistant" ? Ids(list[i - 1], "tool_use", "id") : [];
            foreach (var id in results)
            {
                if (!previousCalls.Contains(id))
                {
                    throw new Rejected($"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
                }
            }

            if (list[i].Str("role") == "user" && results.Count > 0 && list[i].Opt("content") is { ValueKind: JsonValueKind.Array } c
                && c.EnumerateArray().TakeWhile(x => x.Str("type") == "tool_result").Count() != results.Count)
            {
                throw new Rejected($"messages.{i}.content: `tool_result` blocks must come first in the user message");
            }

            if (list[i].Str("role") != "assistant")
            {
                continue;
            }

            var calls = Ids(list[i], "tool_use", "id");
            var answered = i + 1 < list.Count ? Ids(list[i + 1], "tool_result", "tool_use_id") : [];
            var missing = calls.Where(id => !answered.Contains(id)).ToList();
            if (missing.Count > 0 && i + 1 < list.Count)
            {
                throw new Rejected($"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", missing)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
            }
        }
    }

    /// <summary>With thinking on, the assistant turn a tool loop continues must start with (signed) thinking.</summary>
    private static void CheckFinalAssistantThinks(List<JsonElement> list)
    {
        int last = list.FindLastIndex(m => m.Str("role") == "assistant");
        if (last < 0 || Ids(list[last], "tool_use", "id").Count == 0)
        {
            return;
        }

        var first = list[last].Opt("content") is { ValueKind: JsonValueKind.Array } c ? c.EnumerateArray().FirstOrDefault() : default;
        string? type = first.ValueKind == JsonValueKind.Object ? first.Str("type") : null;
        if (type is not ("thinking" or "redacted_thinking"))
        {
            throw new Rejected($"messages.{last}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{type}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks).");
        }
    }
}
