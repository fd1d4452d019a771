using System.Collections.Immutable;
using System.Globalization;

namespace LlmMux.Accounts.OAuth;

/// <summary>
/// Endpoints and client identity of one OAuth provider. Each provider's <c>DefaultOAuth</c> has the real values; the
/// gateway lays a provider's <c>oauth:</c> block of <c>llm-mux.yaml</c> over them with <see cref="With"/>, and tests
/// point every URL at local fakes.
/// </summary>
/// <param name="AuthorizeUrl">Browser authorization endpoint (PKCE flows).</param>
/// <param name="TokenUrl">Token endpoint: code exchange and refresh; for the device flow, the access-token URL polled.</param>
/// <param name="DeviceCodeUrl">Device-code endpoint (device flows).</param>
/// <param name="ClientId">OAuth client id.</param>
/// <param name="ClientSecret">Client secret of an installed-app client (gemini); not a user secret.</param>
/// <param name="CallbackPort">Local callback port the provider expects; 0 = any free port (tests).</param>
/// <param name="CallbackPath">Path of the redirect URI.</param>
/// <param name="Scopes">Space-separated scopes.</param>
public sealed record OAuthSettings(
    string AuthorizeUrl,
    string TokenUrl,
    string? DeviceCodeUrl,
    string ClientId,
    string? ClientSecret,
    int CallbackPort,
    string CallbackPath,
    string Scopes)
{
    /// <summary>
    /// The provider's own endpoints beyond the OAuth ones (a user-info URL, a token exchange), by their <c>oauth:</c>
    /// key, so a provider adds one without a new field here.
    /// </summary>
    public ImmutableDictionary<string, string> Endpoints { get; init; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Host in the redirect URI. The providers register <c>localhost</c>; the listener binds the loopback address.</summary>
    public string RedirectHost { get; init; } = "localhost";

    /// <summary>The redirect URI for a listener on <paramref name="port"/>.</summary>
    public string RedirectUri(int port) => $"http://{RedirectHost}:{port}{CallbackPath}";

    /// <summary>The provider endpoint of that <c>oauth:</c> key; throws when none is configured.</summary>
    public string Endpoint(string key) =>
        Endpoints.TryGetValue(key, out var url) ? url : throw new OAuthException($"No {key} is configured for this provider.");

    /// <summary>A copy with the endpoint <paramref name="key"/> set.</summary>
    public OAuthSettings WithEndpoint(string key, string url) => this with { Endpoints = Endpoints.SetItem(key, url) };

    /// <summary>
    /// A copy with every non-null override applied, by <c>oauth:</c> key (<see cref="OAuthKeys"/>; any other key is a
    /// provider endpoint).
    /// </summary>
    public OAuthSettings With(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var settings = this;
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                continue;
            }

            settings = key switch
            {
                OAuthKeys.AuthorizeUrl => settings with { AuthorizeUrl = value },
                OAuthKeys.TokenUrl => settings with { TokenUrl = value },
                OAuthKeys.DeviceCodeUrl => settings with { DeviceCodeUrl = value },
                OAuthKeys.ClientId => settings with { ClientId = value },
                OAuthKeys.ClientSecret => settings with { ClientSecret = value },
                OAuthKeys.Scopes => settings with { Scopes = value },
                OAuthKeys.CallbackPort => settings with { CallbackPort = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) },
                _ => settings.WithEndpoint(key, value),
            };
        }

        return settings;
    }

    /// <summary>By value, the provider endpoints included: what a login or refresh sends where, and as which client.</summary>
    public bool Equals(OAuthSettings? other) =>
        other is not null
        && AuthorizeUrl == other.AuthorizeUrl && TokenUrl == other.TokenUrl && DeviceCodeUrl == other.DeviceCodeUrl
        && ClientId == other.ClientId && ClientSecret == other.ClientSecret && CallbackPort == other.CallbackPort
        && CallbackPath == other.CallbackPath && Scopes == other.Scopes && RedirectHost == other.RedirectHost
        && Endpoints.Count == other.Endpoints.Count
        && Endpoints.All(e => other.Endpoints.TryGetValue(e.Key, out var url) && url == e.Value);

    public override int GetHashCode() => HashCode.Combine(AuthorizeUrl, TokenUrl, ClientId, CallbackPort, Endpoints.Count);
}
