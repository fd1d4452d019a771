using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Health;

/// <summary>
/// Reads a 403's message for whether the upstream refused the credential itself (a revoked key, a disabled account)
/// or only this request (a model the organisation may not use, a region or feature gate). Providers send both with
/// the same status; only the first rests the whole account.
/// </summary>
internal static partial class UpstreamDenial
{
    /// <param name="message">The upstream's error message.</param>
    /// <param name="clientModels">Names the client chose (the requested and the upstream model): removed before matching,
    /// since a message that quotes a model called "invalid api key" must not read as a verdict on the key.</param>
    public static bool IsAboutCredential(string message, params ReadOnlySpan<string> clientModels)
    {
        foreach (var model in clientModels)
        {
            if (model.Length > 0)
            {
                message = message.Replace(model, " ", StringComparison.OrdinalIgnoreCase);
            }
        }

        return message.Length > 0 && CredentialWords().IsMatch(message);
    }

    [GeneratedRegex(
        @"(invalid|incorrect|revoked|expired|disabled|suspended|deactivated|unknown|bad)[\s_-]+(api[\s_-]?key|key|token|credential|x-api-key|authentication)|" +
        @"(api[\s_-]?key|token|credential|account|organi[sz]ation)\s+(is\s+|has\s+been\s+)?(invalid|revoked|expired|disabled|suspended|deactivated|banned)|" +
        @"unauthenticated|authentication[\s_]failed|not\s+authenticated|invalid_api_key|api_key_invalid|account[\s_-]?(suspended|disabled|deactivated)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialWords();
}
