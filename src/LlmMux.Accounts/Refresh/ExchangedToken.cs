namespace LlmMux.Accounts.Refresh;

/// <summary>
/// A short-lived API token a <c>TokenExchangeProvider</c> got for the stored one (Copilot's), held in memory only.
/// <see cref="ToString"/> is redacted.
/// </summary>
/// <param name="RefreshAt">When to exchange again, ahead of <paramref name="ExpiresAt"/>.</param>
/// <param name="BaseUrl">The API host this token must be sent to, when the exchange names one.</param>
internal sealed record ExchangedToken(string Token, DateTimeOffset? ExpiresAt, DateTimeOffset RefreshAt, string? BaseUrl)
{
    public override string ToString() => $"ExchangedToken {{ ExpiresAt = {ExpiresAt}, RefreshAt = {RefreshAt} }}";
}
