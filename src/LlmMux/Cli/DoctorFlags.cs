namespace LlmMux.Cli;

/// <param name="Timeout">Per base-URL check (DNS, connect, TLS).</param>
internal sealed record DoctorFlags(string? Config, string? Client, string? Url, string? Key, TimeSpan Timeout);
