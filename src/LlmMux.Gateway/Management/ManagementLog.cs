using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Management;

/// <summary>Management log lines (kept here, beside the code that writes them); key names only, never a value.</summary>
internal static partial class ManagementLog
{
    [LoggerMessage(801, LogLevel.Warning, "Config replaced through the management API changed where credentials are sent or who can reach the gateway: {Keys}")]
    public static partial void EndpointsChanged(ILogger logger, string keys);

    [LoggerMessage(802, LogLevel.Warning, "Refused a management config replacement that would change where credentials are sent or who can reach the gateway: {Keys}")]
    public static partial void EndpointChangeRefused(ILogger logger, string keys);
}
