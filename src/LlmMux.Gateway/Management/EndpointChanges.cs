using LlmMux.Accounts.Providers;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;

namespace LlmMux.Gateway.Management;

/// <summary>
/// The keys a PUT may only change when the file on disk has <c>management.allow-endpoint-changes: true</c>. Those that
/// decide where credentials are sent: a provider's base-url, proxy-url and every oauth field (by provider name), the
/// effective login settings of each OAuth account type, telemetry.otlp-endpoint. Those that decide who can reach the
/// gateway: host, allow-unauthenticated-remote, management.allow-remote, security.allowed-origins and allowed-hosts,
/// and api-keys going empty. And management.allow-endpoint-changes itself. A management caller who could change them
/// could have every refresh token and key sent to a host of its choosing, or open the gateway to the network.
/// </summary>
internal static class EndpointChanges
{
    /// <summary>Key names (never values) that differ between the two configs.</summary>
    public static IReadOnlyList<string> Between(LlmMuxOptions current, LlmMuxOptions next)
    {
        var changed = new List<string>();
        var before = current.Providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var after = next.Providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var name in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            var old = before.GetValueOrDefault(name);
            var @new = after.GetValueOrDefault(name);
            if (@new is null)
            {
                continue; // removing a provider sends nothing anywhere new; every endpoint left was in the file already
            }

            var oldFields = Fields(old);
            var newFields = Fields(@new);
            foreach (var key in oldFields.Keys.Union(newFields.Keys, StringComparer.Ordinal))
            {
                if (oldFields.GetValueOrDefault(key) != newFields.GetValueOrDefault(key))
                {
                    changed.Add($"providers[{name}].{key}");
                }
            }

            // Another type sends another kind of credential to the same custom endpoint.
            if (old is not null && @new is not null && old.Type != @new.Type && (oldFields.Count > 0 || newFields.Count > 0))
            {
                changed.Add($"providers[{name}].type");
            }
        }

        // Logins and refreshes use the oauth block of the FIRST provider of a type, so removing or reordering providers
        // can promote another provider's block without any provider's own fields changing.
        foreach (var type in SubscriptionProviders.Default.Types)
        {
            if (LoginSettings.For(type, current) != LoginSettings.For(type, next))
            {
                changed.Add($"oauth settings of type {type}");
            }
        }

        if (current.Telemetry.OtlpEndpoint != next.Telemetry.OtlpEndpoint)
        {
            changed.Add("telemetry.otlp-endpoint");
        }

        if (!string.Equals(current.Host, next.Host, StringComparison.Ordinal))
        {
            changed.Add("host");
        }

        if (current.AllowUnauthenticatedRemote != next.AllowUnauthenticatedRemote)
        {
            changed.Add("allow-unauthenticated-remote");
        }

        if (current.Management.AllowRemote != next.Management.AllowRemote)
        {
            changed.Add("management.allow-remote");
        }

        if (!SameSet(current.Security.AllowedOrigins, next.Security.AllowedOrigins))
        {
            changed.Add("security.allowed-origins");
        }

        if (!SameSet(current.Security.AllowedHosts, next.Security.AllowedHosts))
        {
            changed.Add("security.allowed-hosts");
        }

        // No client keys means no client authentication. Adding keys, or replacing one by another, closes nothing.
        if (current.ApiKeys.Count > 0 && next.ApiKeys.Count == 0)
        {
            changed.Add("api-keys");
        }

        if (current.Management.AllowEndpointChanges != next.Management.AllowEndpointChanges)
        {
            changed.Add("management.allow-endpoint-changes");
        }

        // The fleet's Redis holds login credentials: pointing a replica at another one (at its next start) hands them over.
        if (current.Cluster with { InstanceName = "" } != next.Cluster with { InstanceName = "" })
        {
            changed.Add("cluster");
        }

        return changed;
    }

    private static bool SameSet(List<string> a, List<string> b) => a.ToHashSet(StringComparer.Ordinal).SetEquals(b);

    /// <summary>The endpoint keys a provider sets (keys left at their defaults are absent).</summary>
    private static Dictionary<string, string> Fields(ProviderOptions? p)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                fields[key] = value;
            }
        }

        if (p is null)
        {
            return fields;
        }

        Add("base-url", p.BaseUrl);
        Add("proxy-url", p.ProxyUrl);
        foreach (var (key, value) in p.Oauth?.Entries ?? [])
        {
            Add("oauth." + key, value);
        }

        return fields;
    }
}
