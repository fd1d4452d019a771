using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Copilot;

/// <summary>
/// GitHub Copilot: GitHub OAuth device flow for a GitHub token (stored), and the exchange of that token for the
/// short-lived Copilot API token (memory only), whose answer also names the API host for the account's seat.
/// </summary>
internal sealed class CopilotProvider : TokenExchangeProvider
{
    public const string TypeName = "copilot";

    /// <summary>Copilot token exchange (<c>copilot_internal/v2/token</c>).</summary>
    public const string CopilotTokenUrlKey = "copilot-token-url";

    /// <summary>GitHub "authenticated user" endpoint (the login's user name).</summary>
    public const string GitHubUserUrlKey = "github-user-url";

    private const string Service = "GitHub";
    private static readonly TimeSpan FallbackTtl = TimeSpan.FromMinutes(25);

    // Copilot tokens live about 30 min; a hostile or broken lifetime is clamped to this.
    private static readonly TimeSpan MaxCopilotTtl = TimeSpan.FromDays(1);

    public override string Type => TypeName;

    /// <summary>As the Go llm-mux writes it.</summary>
    public override string FileType => "github-copilot";

    public override string DisplayName => "GitHub Copilot";

    public override OAuthSettings DefaultOAuth { get; } = new OAuthSettings(
        AuthorizeUrl: "https://github.com/login/oauth/authorize",
        TokenUrl: "https://github.com/login/oauth/access_token",
        DeviceCodeUrl: "https://github.com/login/device/code",
        ClientId: "Iv1.b507a08c87ecfe98",
        ClientSecret: null,
        CallbackPort: 0,
        CallbackPath: "/",
        Scopes: "read:user")
        .WithEndpoint(CopilotTokenUrlKey, "https://api.github.com/copilot_internal/v2/token")
        .WithEndpoint(GitHubUserUrlKey, "https://api.github.com/user");

    public override async Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct)
    {
        var (settings, options, http) = (context.Settings, context.Options, context.Http);
        var output = context.Output;
        var device = await DeviceFlow.StartAsync(http, settings, Service, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"To sign in to {DisplayName}, open {device.VerificationUri} and enter the code:").ConfigureAwait(false);
        await output.WriteLineAsync("  " + device.UserCode).ConfigureAwait(false);
        if (!options.NoBrowser)
        {
            (options.OpenBrowser ?? BrowserLauncher.TryOpen)(device.VerificationUri);
        }

        await output.WriteLineAsync($"Waiting for you to approve it (the code expires in {device.ExpiresIn.TotalMinutes:0.#} min)...").ConfigureAwait(false);
        var grant = await DeviceFlow.PollAsync(http, settings, device, Service, options.TimeProvider, ct).ConfigureAwait(false);
        var username = await UsernameAsync(http, settings, grant.AccessToken, ct).ConfigureAwait(false);
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["token_type"] = JsonValue(grant.TokenType ?? "bearer"),
            ["scope"] = JsonValue(OAuthHttp.String(grant.Body, "scope") ?? settings.Scopes),
            ["timestamp"] = JsonNumber(context.Now.ToUnixTimeMilliseconds()),
        };
        var file = new AccountFile
        {
            Type = FileType,
            Username = username,
            AccessToken = grant.AccessToken,
            Extra = extra,
        };
        return new LoginResult(file, username);
    }

    public override string? MissingField(AccountFile file) => string.IsNullOrEmpty(file.AccessToken) ? "access_token" : null;

    public override string? StoredToken(AccountFile file) => file.AccessToken;

    /// <summary>The GitHub token, for the quota snapshot only (<see cref="CopilotDetails"/>).</summary>
    public override ProviderDetails? Details(AccountFile file) => string.IsNullOrEmpty(file.AccessToken) ? null : new CopilotDetails(file.AccessToken);

    /// <summary>
    /// <c>GET copilot_internal/v2/token</c> with <c>Authorization: token &lt;github token&gt;</c>. The token is used
    /// until <c>refresh_in</c> has passed (else until <c>expires_at</c> minus <paramref name="lead"/>; else 25 min).
    /// </summary>
    public override async Task<ExchangedToken> ExchangeAsync(HttpClient http, OAuthSettings settings, string storedToken, TimeSpan lead, DateTimeOffset now, CancellationToken ct)
    {
        const string step = "Copilot token exchange";
        var json = await OAuthHttp.GetAsync(http, settings.Endpoint(CopilotTokenUrlKey), step, h => GitHubHeaders(h, storedToken), ct).ConfigureAwait(false);
        var token = OAuthHttp.Required(json, "token", step);
        var latest = now + MaxCopilotTtl;
        DateTimeOffset? expiresAt = OAuthHttp.Int64(json, "expires_at") is > 0 and var e
            ? e >= latest.ToUnixTimeSeconds() ? latest : DateTimeOffset.FromUnixTimeSeconds(e)
            : null;
        var refreshAt = OAuthHttp.Seconds(OAuthHttp.Int64(json, "refresh_in"), MaxCopilotTtl) is { } r
            ? now + r
            : expiresAt is { } at ? at - lead : now + FallbackTtl;
        if (expiresAt is { } hard && refreshAt > hard - TimeSpan.FromSeconds(30))
        {
            refreshAt = hard - TimeSpan.FromSeconds(30);
        }

        var api = json.TryGetProperty("endpoints", out var endpoints) ? OAuthHttp.String(endpoints, "api") : null;
        return new ExchangedToken(token, expiresAt, refreshAt, string.IsNullOrEmpty(api) ? null : api);
    }

    private static async Task<string> UsernameAsync(HttpClient http, OAuthSettings settings, string gitHubToken, CancellationToken ct)
    {
        var json = await OAuthHttp.GetAsync(http, settings.Endpoint(GitHubUserUrlKey), "GitHub user", h => GitHubHeaders(h, gitHubToken), ct).ConfigureAwait(false);
        return OAuthHttp.Required(json, "login", "GitHub user");
    }

    private static void GitHubHeaders(HttpRequestHeaders headers, string gitHubToken)
    {
        headers.Authorization = new AuthenticationHeaderValue("token", gitHubToken);
        foreach (var (name, value) in CopilotIdentity.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    private static JsonElement JsonValue(string value)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(value, AccountJsonContext.Default.String));
        return document.RootElement.Clone();
    }

    private static JsonElement JsonNumber(long value)
    {
        using var document = JsonDocument.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return document.RootElement.Clone();
    }
}
