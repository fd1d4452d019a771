namespace LlmMux.Cli;

/// <param name="Timeout">Per base-URL check (DNS, connect, TLS).</param>
/// <param name="Secret">The management secret: with it (or <c>$LLM_MUX_MANAGEMENT_KEY</c>) the running gateway's own view of each account is read too.</param>
internal sealed record DoctorFlags(string? Config, string? Client, string? Url, string? Key, TimeSpan Timeout, string? Secret = null);
