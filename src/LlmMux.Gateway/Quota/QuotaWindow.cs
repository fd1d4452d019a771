namespace LlmMux.Gateway.Quota;

/// <summary>
/// One quota window a provider reports for an account: how much of it is spent and when it starts over.
/// </summary>
/// <param name="Name">Stable, short, lower-case: <c>five-hour</c>, <c>weekly</c>, <c>premium</c>, a model family.</param>
/// <param name="UsedFraction">0 (untouched) to 1 (exhausted), as the provider reported it.</param>
/// <param name="ResetsAt">When the window starts over, when the provider says; honoured however far away (days).</param>
/// <param name="Models">
/// The upstream models (exact names or <c>*</c> globs) this window governs; null when it governs the whole account.
/// A family's window (Antigravity's quota groups) blocks every model of the family at once.
/// </param>
public sealed record QuotaWindow(string Name, double UsedFraction, DateTimeOffset? ResetsAt, IReadOnlyList<string>? Models = null);
