namespace LlmMux.Gateway.Health;

/// <summary>Whether an account takes requests right now.</summary>
public enum AccountCondition
{
    Ready,
    CoolingDown,
    KeyRejected,

    /// <summary>The provider no longer serves the account through this type; <see cref="AccountStatus.LastError"/> says what to do.</summary>
    Retired,
}

/// <summary>What the gateway knows about one account, for <c>accounts</c>, the management API and telemetry.</summary>
/// <param name="DestinationId"><c>provider/account</c>.</param>
/// <param name="State">Account-wide state; model-level cooldowns are in <paramref name="ModelCooldowns"/>.</param>
/// <param name="CooldownUntil">End of an account-wide cooldown, if one is running.</param>
/// <param name="ModelCooldowns">Models this account may not serve until the given time (quota resets).</param>
/// <param name="RequestsLastMinute">Attempts sent in the last minute.</param>
/// <param name="RequestsLastHour">Attempts sent in the last hour.</param>
/// <param name="RequestsLastDay">Attempts sent in the last day.</param>
/// <param name="TokensLastDay">Tokens in and out in the last day, where the response reported usage.</param>
/// <param name="LearnedRequestsPerMinute">Attempts in the minute before the last 429: the account is used last once it nears this again.</param>
/// <param name="LastError">The last failure, e.g. "HTTP 429"; never a credential.</param>
public sealed record AccountStatus(
    string DestinationId,
    AccountCondition State,
    DateTimeOffset? CooldownUntil,
    IReadOnlyDictionary<string, DateTimeOffset> ModelCooldowns,
    long RequestsLastMinute,
    long RequestsLastHour,
    long RequestsLastDay,
    long TokensLastDay,
    long? LearnedRequestsPerMinute,
    string? LastError);
