using System.Text.RegularExpressions;

namespace LlmMux.Gateway.Health;

/// <summary>
/// Reads a 403's message for whether the upstream refused the credential itself (a revoked key, a disabled account)
/// or only this request (a model the organisation may not use, a region or feature gate). Providers send both with
/// the same status; only the first rests the whole account.
/// </summary>
internal static partial class UpstreamDenial
{
    public static bool IsAboutCredential(string message) => message.Length > 0 && CredentialWords().IsMatch(message);

    [GeneratedRegex(
        @"(invalid|incorrect|revoked|expired|disabled|suspended|deactivated|unknown|bad)[\s_-]+(api[\s_-]?key|key|token|credential|x-api-key|authentication)|" +
        @"(api[\s_-]?key|token|credential|account|organi[sz]ation)\s+(is\s+|has\s+been\s+)?(invalid|revoked|expired|disabled|suspended|deactivated|banned)|" +
        @"unauthenticated|authentication[\s_]failed|not\s+authenticated|invalid_api_key|api_key_invalid|account[\s_-]?(suspended|disabled|deactivated)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialWords();
}
