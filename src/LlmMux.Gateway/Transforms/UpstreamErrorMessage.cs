using System.Text.Json;
using LlmMux.Gateway.Security;

namespace LlmMux.Gateway.Transforms;

/// <summary>The human message inside an upstream error body of any dialect, else the body's start as text.</summary>
internal static class UpstreamErrorMessage
{
    public static string Extract(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return SecretScrubber.Scrub(error.GetString() ?? "");
                }

                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return SecretScrubber.Scrub(message.GetString() ?? "");
                }
            }
        }
        catch (JsonException)
        {
        }

        return SecretScrubber.Scrub(body.Length > 500 ? body[..500] : body);
    }
}
