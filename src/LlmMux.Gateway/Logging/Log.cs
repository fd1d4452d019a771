using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Logging;

/// <summary>Every log line the gateway writes. None of them carries a key, token or prompt.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Loaded config {Source} (revision {Revision}, {Providers} providers)")]
    public static partial void ConfigLoaded(ILogger logger, string source, int revision, int providers);

    [LoggerMessage(2, LogLevel.Error, "Config {Source} was not applied; the previous config stays in effect:\n{Errors}")]
    public static partial void ConfigRejected(ILogger logger, string source, string errors);

    [LoggerMessage(4, LogLevel.Warning, "Attempt {Attempt} on {Destination} for model {Model} failed ({Reason}); trying the next account or provider")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string destination, string model, string reason);

    [LoggerMessage(5, LogLevel.Debug, "Routing model {Model} to {Provider} as {UpstreamModel}")]
    public static partial void Routing(ILogger logger, string model, string provider, string upstreamModel);

    [LoggerMessage(7, LogLevel.Information, "Replaced the plaintext management secret in {Source} with its salted hash")]
    public static partial void SecretHashed(ILogger logger, string source);

    [LoggerMessage(8, LogLevel.Warning, "Listening on {Host} with allow-unauthenticated-remote: true: anyone who can reach this address can use every account. Set api-keys unless this network is yours alone")]
    public static partial void OpenToRemote(ILogger logger, string host);

    [LoggerMessage(9, LogLevel.Warning, "management.allow-remote is on while listening on {Host}: the management secret and API travel as plain HTTP; put a TLS proxy in front (docs/security.md)")]
    public static partial void ManagementRemote(ILogger logger, string host);

    [LoggerMessage(10, LogLevel.Warning, "{Path} can be read by other users of this machine ({Mode}); it holds keys or tokens: chmod {Wanted} it")]
    public static partial void LooseFileMode(ILogger logger, string path, string mode, string wanted);

    // Debug: one line per refused request would let a flood of them fill the journal; llm_mux.requests.rejected counts them.
    [LoggerMessage(6, LogLevel.Debug, "Rejected a request from {Remote}: {Reason}")]
    public static partial void ClientRejected(ILogger logger, string remote, string reason);
}
