using System.Text.Json;

namespace LlmMux.Accounts.OAuth;

/// <summary>Reads claims of a JWT payload without verifying it (the token came straight from the token endpoint over TLS).</summary>
internal static class JwtClaims
{
    public static JsonElement? Payload(string? jwt)
    {
        if (string.IsNullOrEmpty(jwt))
        {
            return null;
        }

        var parts = jwt.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        try
        {
            var segment = parts[1].Replace('-', '+').Replace('_', '/');
            segment = segment.PadRight(segment.Length + ((4 - (segment.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(segment));
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
