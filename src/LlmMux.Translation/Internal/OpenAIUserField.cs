using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LlmMux.Translation.Internal;

/// <summary>
/// The OpenAI family's <c>user</c> field, which OpenAI and Copilot refuse above 64 characters ("Invalid 'user':
/// string too long"). Other dialects' user ids are longer: Claude Code's <c>metadata.user_id</c> is a ~150-character
/// JSON object. A longer id goes as its SHA-256 in hex, exactly 64 characters, so it stays one stable id per user.
/// </summary>
internal static class OpenAIUserField
{
    private const int MaxLength = 64;

    public static void WriteIf(Utf8JsonWriter w, string? user)
    {
        if (user is null)
        {
            return;
        }

        if (user.Length <= MaxLength)
        {
            w.WriteString("user"u8, user);
            return;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(user), hash);
        w.WriteString("user"u8, Convert.ToHexStringLower(hash));
    }
}
