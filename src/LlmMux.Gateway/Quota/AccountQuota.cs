namespace LlmMux.Gateway.Quota;

/// <summary>
/// What llm-mux last learned of one account's quota windows (a row of <c>quota.json</c>).
/// </summary>
/// <param name="Account">The login account id (the auth dir's file name without <c>.json</c>), or the destination id of a key account.</param>
/// <param name="Windows">The windows as last reported; a window whose reset has passed no longer counts.</param>
/// <param name="ReadAt">When the windows were last reported (by a read or an answer's headers).</param>
/// <param name="NextReadAt">When the poller may ask the provider again; null when it may ask at once.</param>
/// <param name="LastError">Why the last read gave nothing (never a token); null after a good read.</param>
/// <param name="Failures">Reads in a row that gave nothing: each doubles the wait before the next.</param>
/// <param name="Destinations">The destination ids (provider/account) that serve through this account, so an exhausted window can cool them after a restart.</param>
public sealed record AccountQuota(
    string Account, IReadOnlyList<QuotaWindow> Windows, DateTimeOffset? ReadAt, DateTimeOffset? NextReadAt, string? LastError = null, int Failures = 0,
    IReadOnlyList<string>? Destinations = null);

/// <summary>The file <c>quota.json</c>: every account's last known windows.</summary>
internal sealed record QuotaFile(IReadOnlyList<AccountQuota> Accounts);
