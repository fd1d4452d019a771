using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Providers;

/// <summary>A device code to show the user. <see cref="ToString"/> leaves out the device code.</summary>
internal sealed record DeviceCode(string UserCode, string VerificationUri, TimeSpan Interval, TimeSpan ExpiresIn)
{
    internal string Secret { get; init; } = "";

    public override string ToString() => $"DeviceCode {{ UserCode = {UserCode}, VerificationUri = {VerificationUri} }}";
}

/// <summary>A short-lived Copilot API token. <see cref="ToString"/> is redacted.</summary>
internal sealed record CopilotToken(string Token, DateTimeOffset? ExpiresAt, DateTimeOffset RefreshAt, string? ApiBaseUrl)
{
    public override string ToString() => $"CopilotToken {{ ExpiresAt = {ExpiresAt}, RefreshAt = {RefreshAt} }}";
}

/// <summary>
/// GitHub Copilot: GitHub OAuth device flow for a GitHub token (stored), and the exchange of that token for the
/// short-lived Copilot API token (memory only).
/// </summary>
internal static class CopilotProvider
{
    public const string UserAgent = "GithubCopilot/1.0";
    public const string EditorVersion = "vscode/1.104.1";
    public const string EditorPluginVersion = "copilot/1.300.0";
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FallbackTtl = TimeSpan.FromMinutes(25);

    // Bounds for numbers in GitHub's answers: a hostile or broken value is clamped, never turned into a clock
    // overflow. Copilot tokens live about 30 min; device codes about 15.
    private static readonly TimeSpan MaxCopilotTtl = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDeviceCodeLifetime = TimeSpan.FromHours(1);

    public static async Task<DeviceCode> StartDeviceFlowAsync(HttpClient http, OAuthSettings settings, CancellationToken ct)
    {
        const string step = "GitHub device code";
        var url = settings.DeviceCodeUrl ?? throw new OAuthException("No device-code URL configured for copilot.");
        var json = await OAuthHttp.PostFormAsync(http, url, [new("client_id", settings.ClientId), new("scope", settings.Scopes)], step, null, ct)
            .ConfigureAwait(false);
        return new DeviceCode(
            OAuthHttp.Required(json, "user_code", step),
            OAuthHttp.Required(json, "verification_uri", step),
            OAuthHttp.Seconds(OAuthHttp.Int64(json, "interval"), MaxPollInterval) ?? TimeSpan.FromSeconds(5),
            OAuthHttp.Seconds(OAuthHttp.Int64(json, "expires_in"), MaxDeviceCodeLifetime) ?? TimeSpan.FromSeconds(900))
        {
            Secret = OAuthHttp.Required(json, "device_code", step),
        };
    }

    /// <summary>
    /// Polls the access-token URL at the device code's interval until the user approves: <c>authorization_pending</c>
    /// keeps polling, <c>slow_down</c> adds 5 s (or takes the interval the server sends), <c>expired_token</c> and
    /// <c>access_denied</c> end the login.
    /// </summary>
    public static async Task<TokenGrant> PollAsync(HttpClient http, OAuthSettings settings, DeviceCode code, TimeProvider time, CancellationToken ct)
    {
        const string step = "GitHub device-flow token";
        var interval = code.Interval;
        var deadline = time.GetUtcNow() + code.ExpiresIn;
        while (true)
        {
            await Task.Delay(interval, time, ct).ConfigureAwait(false);
            if (time.GetUtcNow() > deadline)
            {
                throw new OAuthException("The device code expired before it was approved; run the login again.", null, "expired_token");
            }

            JsonElement json;
            try
            {
                json = await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
                [
                    new("client_id", settings.ClientId),
                    new("device_code", code.Secret),
                    new("grant_type", DeviceGrant),
                ], step, null, ct).ConfigureAwait(false);
            }
            catch (OAuthException e) when (e.Error is "authorization_pending" or "slow_down")
            {
                interval = e.Error == "slow_down" ? Min(interval + SlowDownStep, MaxPollInterval) : interval;
                continue;
            }

            switch (OAuthHttp.ErrorCode(json))
            {
                case null:
                    return TokenGrant.Parse(json, step);
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval = OAuthHttp.Seconds(OAuthHttp.Int64(json, "interval"), MaxPollInterval) ?? Min(interval + SlowDownStep, MaxPollInterval);
                    continue;
                case "expired_token":
                    throw new OAuthException("The device code expired before it was approved; run the login again.", null, "expired_token");
                case "access_denied":
                    throw new OAuthException("The authorization was denied on GitHub.", null, "access_denied");
                case var other:
                    throw new OAuthException($"{step}: {other}.", null, other);
            }
        }
    }

    public static async Task<string> UsernameAsync(HttpClient http, OAuthSettings settings, string gitHubToken, CancellationToken ct)
    {
        var url = settings.GitHubUserUrl ?? throw new OAuthException("No GitHub user URL configured for copilot.");
        var json = await OAuthHttp.GetAsync(http, url, "GitHub user", h => GitHubHeaders(h, gitHubToken), ct).ConfigureAwait(false);
        return OAuthHttp.Required(json, "login", "GitHub user");
    }

    /// <summary>
    /// <c>GET copilot_internal/v2/token</c> with <c>Authorization: token &lt;github token&gt;</c>. The token is used
    /// until <c>refresh_in</c> has passed (else until <c>expires_at</c> minus <paramref name="lead"/>; else 25 min).
    /// </summary>
    public static async Task<CopilotToken> ExchangeAsync(HttpClient http, OAuthSettings settings, string gitHubToken, TimeSpan lead, DateTimeOffset now, CancellationToken ct)
    {
        const string step = "Copilot token exchange";
        var url = settings.CopilotTokenUrl ?? throw new OAuthException("No Copilot token URL configured.");
        var json = await OAuthHttp.GetAsync(http, url, step, h => GitHubHeaders(h, gitHubToken), ct).ConfigureAwait(false);
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
        return new CopilotToken(token, expiresAt, refreshAt, string.IsNullOrEmpty(api) ? null : api);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static void GitHubHeaders(HttpRequestHeaders headers, string gitHubToken)
    {
        headers.Authorization = new AuthenticationHeaderValue("token", gitHubToken);
        headers.TryAddWithoutValidation("User-Agent", UserAgent);
        headers.TryAddWithoutValidation("Editor-Version", EditorVersion);
        headers.TryAddWithoutValidation("Editor-Plugin-Version", EditorPluginVersion);
    }

    internal static string UnixMillis(DateTimeOffset now) => now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
