using System.Security.Cryptography;
using System.Text;

namespace LlmMux.Translation.History;

/// <summary>
/// Tool-call ids as each upstream accepts them. Ids are minted by whichever provider answered a turn (<c>toolu_…</c>,
/// <c>call_…</c>, Gemini's none at all, which the decoders fill in), and the next upstream may refuse them: Anthropic
/// requires <c>^[a-zA-Z0-9_-]+$</c>, OpenAI Chat at most 40 characters. An id that breaks the target's rule is
/// rewritten by a pure function of the id, so a call and its result, rewritten independently, still match and no
/// state is kept between turns; the upstream's answer carries its own new ids, so nothing is mapped back.
/// </summary>
internal static class ToolCallIds
{
    private const int OpenAIMaxLength = 40;

    /// <summary><paramref name="id"/> as <paramref name="target"/> accepts it; the same instance when it already does.</summary>
    public static string For(Dialect target, string id) => target switch
    {
        Dialect.Anthropic => AnthropicSafe(id),
        Dialect.OpenAIChat => id.Length is > 0 and <= OpenAIMaxLength ? id : "call_" + Digest(id, 16),
        Dialect.OpenAIResponses => id.Length > 0 ? id : "call_" + Digest(id, 16),
        _ => id,
    };

    private static string AnthropicSafe(string id)
    {
        if (id.Length > 0 && IsAnthropicSafe(id))
        {
            return id;
        }

        // Replacing the odd characters keeps the id readable in logs; the digest keeps two ids that differ only in
        // those characters apart.
        var sb = new StringBuilder(id.Length + 17);
        foreach (char ch in id)
        {
            sb.Append(IsAnthropicChar(ch) ? ch : '_');
        }

        if (sb.Length == 0)
        {
            sb.Append("toolu");
        }

        return sb.Append('_').Append(Digest(id, 8)).ToString();
    }

    private static bool IsAnthropicSafe(string id)
    {
        foreach (char ch in id)
        {
            if (!IsAnthropicChar(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAnthropicChar(char ch) => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-';

    /// <summary>Lower-case hex of the first <paramref name="bytes"/> bytes of the id's SHA-256.</summary>
    private static string Digest(string id, int bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return Convert.ToHexStringLower(hash[..bytes]);
    }
}
