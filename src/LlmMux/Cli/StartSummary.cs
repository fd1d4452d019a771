using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// What <c>serve</c> prints once it listens: where, which config (absolute path), how many accounts each provider
/// has, whether the management API is on, and the next step a user can take. No secret or key is printed.
/// </summary>
internal static class StartSummary
{
    public static IEnumerable<string> Lines(IReadOnlyList<string> addresses, ConfigSource source, GatewaySnapshot snapshot, string authDir, int loginAccounts)
    {
        var config = source.FilePath ?? source.DisplayName;
        foreach (var address in addresses)
        {
            yield return $"llm-mux listening on {address} (config: {config})";
        }

        yield return $"  auth dir:   {authDir} ({Plural(loginAccounts, "subscription account")})";
        var accounts = snapshot.Providers.Sum(p => p.Accounts.Count);
        yield return snapshot.Providers.Count == 0
            ? "  providers:  none"
            : $"  providers:  {string.Join(", ", snapshot.Providers.Select(p => $"{p.Name} ({Plural(p.Accounts.Count, "account")})"))}";
        yield return $"  client keys: {(snapshot.ClientKeyHashes.Count == 0 ? "none (loopback callers only)" : snapshot.ClientKeyHashes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        yield return $"  management: {(string.IsNullOrEmpty(snapshot.Options.Management.SecretKey) ? "off (no management.secret-key)" : "on, /v0/management and /dashboard")}";
        if (snapshot.Providers.Count == 0)
        {
            yield return
                "No providers are configured yet, so no model can be routed. Next: run `llm-mux init` to write ./llm-mux.yaml, " +
                "add a provider (e.g. type: openai with api-keys) or `llm-mux login claude`, then start `llm-mux serve` again.";
        }
        else if (accounts == 0)
        {
            yield return "No provider has an account yet. Next: `llm-mux login <provider>` or add api-keys to a provider in the config.";
        }
        else
        {
            yield return "Next: point a client here, e.g. `llm-mux connect claude-code --write` (see `llm-mux connect --help`).";
        }
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
