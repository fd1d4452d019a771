using System.Globalization;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Management;

/// <summary>
/// The keys that decide where credentials are sent: a provider's base-url, proxy-url and every oauth field (by provider
/// name), telemetry.otlp-endpoint, and management.allow-endpoint-changes itself. A management caller who could change
/// them could have every refresh token and key sent to a host of its choosing.
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

        if (current.Telemetry.OtlpEndpoint != next.Telemetry.OtlpEndpoint)
        {
            changed.Add("telemetry.otlp-endpoint");
        }

        if (current.Management.AllowEndpointChanges != next.Management.AllowEndpointChanges)
        {
            changed.Add("management.allow-endpoint-changes");
        }

        return changed;
    }

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
        if (p.Oauth is { } o)
        {
            Add("oauth.authorize-url", o.AuthorizeUrl);
            Add("oauth.token-url", o.TokenUrl);
            Add("oauth.device-code-url", o.DeviceCodeUrl);
            Add("oauth.copilot-token-url", o.CopilotTokenUrl);
            Add("oauth.client-id", o.ClientId);
            Add("oauth.callback-port", o.CallbackPort?.ToString(CultureInfo.InvariantCulture));
            Add("oauth.client-secret", o.ClientSecret);
            Add("oauth.scopes", o.Scopes);
            Add("oauth.user-info-url", o.UserInfoUrl);
            Add("oauth.code-assist-base-url", o.CodeAssistBaseUrl);
            Add("oauth.github-user-url", o.GithubUserUrl);
        }

        return fields;
    }
}
