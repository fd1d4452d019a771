using System.Net.Http.Headers;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Gemini;

/// <summary>
/// Google OAuth (installed-app client of gemini-cli) followed by the Code Assist set-up that finds or creates the
/// account's project. The file keeps golang-oauth2's <c>token</c> object and the <c>project_id</c>.
/// </summary>
internal sealed class GeminiProvider : RefreshTokenProvider
{
    public const string TypeName = "gemini";

    /// <summary>Google user-info endpoint (the login's e-mail).</summary>
    public const string UserInfoUrlKey = "user-info-url";

    /// <summary>Base of the Code Assist API, without <c>/v1internal</c> (the login's project set-up).</summary>
    public const string CodeAssistBaseUrlKey = "code-assist-base-url";

    public override string Type => TypeName;

    public override IReadOnlyList<string> Aliases { get; } = ["gemini-cli"];

    public override string DisplayName => "Google (Gemini)";

    public override OAuthSettings DefaultOAuth { get; } = new OAuthSettings(
        AuthorizeUrl: "https://accounts.google.com/o/oauth2/auth",
        TokenUrl: "https://oauth2.googleapis.com/token",
        DeviceCodeUrl: null,
        // The public installed-app client of the official gemini-cli (its "secret" is not confidential).
        ClientId: "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
        ClientSecret: "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",
        CallbackPort: 8085,
        CallbackPath: "/oauth2callback",
        Scopes: "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile")
        .WithEndpoint(UserInfoUrlKey, "https://www.googleapis.com/oauth2/v1/userinfo?alt=json")
        .WithEndpoint(CodeAssistBaseUrlKey, "https://cloudcode-pa.googleapis.com");

    public override Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct) =>
        BrowserLogin.RunAsync(
            context,
            DisplayName,
            [new("access_type", "offline"), new("prompt", "consent")],
            callback => CompleteAsync(context, callback, ct),
            ct);

    public override string? MissingField(AccountFile file) =>
        string.IsNullOrEmpty(file.Token?.AccessToken) && string.IsNullOrEmpty(file.Token?.RefreshToken) ? "token" : null;

    public override DateTimeOffset? Expiry(AccountFile file) => AccountFiles.ParseTime(file.Token?.Expiry);

    public override ProviderDetails? Details(AccountFile file) => FirstProject(file.ProjectId) is { } project ? new GeminiDetails(project) : null;

    public override string? AccessToken(AccountFile file) => file.Token?.AccessToken;

    public override string? RefreshToken(AccountFile file) => file.Token?.RefreshToken;

    public override Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct) =>
        GoogleRefreshAsync(http, settings, refreshToken, ct);

    /// <summary>Google's refresh grant with an installed-app client (shared by every Google login).</summary>
    internal static async Task<TokenGrant> GoogleRefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        const string step = "Google token refresh";
        return TokenGrant.Parse(await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
        [
            new("grant_type", "refresh_token"),
            new("client_id", settings.ClientId),
            new("client_secret", settings.ClientSecret ?? ""),
            new("refresh_token", refreshToken),
        ], step, null, ct).ConfigureAwait(false), step);
    }

    /// <summary>Applies the grant to the file's <c>token</c> object (unknown token fields kept).</summary>
    public override AccountFile Apply(TokenGrant grant, AccountFile file, DateTimeOffset now)
    {
        var token = file.Token ?? new GeminiToken();
        return file with
        {
            Token = token with
            {
                AccessToken = grant.AccessToken,
                RefreshToken = string.IsNullOrEmpty(grant.RefreshToken) ? token.RefreshToken : grant.RefreshToken,
                TokenType = grant.TokenType ?? token.TokenType ?? "Bearer",
                Expiry = grant.ExpiresAt(now) is { } at ? AccountFiles.FormatTime(at) : token.Expiry,
            },
            State = null,
        };
    }

    /// <summary>The first project of a comma-separated list, as Go llm-mux writes several.</summary>
    internal static string? FirstProject(string? projectId)
    {
        if (string.IsNullOrWhiteSpace(projectId))
        {
            return null;
        }

        var first = projectId.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(first) ? null : first;
    }

    private async Task<LoginResult> CompleteAsync(LoginContext context, BrowserCallback callback, CancellationToken ct)
    {
        var (settings, http) = (context.Settings, context.Http);
        var now = context.Now;
        var grant = await ExchangeCodeAsync(http, settings, callback, ct).ConfigureAwait(false);
        var email = await EmailAsync(http, settings, grant.AccessToken, ct).ConfigureAwait(false);
        await context.Output.WriteLineAsync("Setting up Gemini Code Assist (finding or creating the project)...").ConfigureAwait(false);
        var project = await CodeAssistSetup.ProjectAsync(http, settings, grant.AccessToken, context.Options.ProjectId, context.Options.TimeProvider, ct).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Using Code Assist project {project}.").ConfigureAwait(false);
        var file = Apply(grant, new AccountFile { Type = TypeName, Email = email, ProjectId = project }, now);
        return new LoginResult(file, email);
    }

    /// <summary>Google's authorization-code grant with PKCE (shared by every Google login).</summary>
    internal static async Task<TokenGrant> ExchangeCodeAsync(HttpClient http, OAuthSettings settings, BrowserCallback callback, CancellationToken ct)
    {
        const string step = "Google token exchange";
        return TokenGrant.Parse(await OAuthHttp.PostFormAsync(http, settings.TokenUrl,
        [
            new("grant_type", "authorization_code"),
            new("client_id", settings.ClientId),
            new("client_secret", settings.ClientSecret ?? ""),
            new("code", callback.Code.Code),
            new("redirect_uri", callback.RedirectUri),
            new("code_verifier", callback.Pkce.Verifier),
        ], step, null, ct).ConfigureAwait(false), step);
    }

    /// <summary>The signed-in Google account's e-mail.</summary>
    internal static async Task<string> EmailAsync(HttpClient http, OAuthSettings settings, string accessToken, CancellationToken ct)
    {
        var json = await OAuthHttp.GetAsync(http, settings.Endpoint(UserInfoUrlKey), "Google user info", h => h.Authorization = new AuthenticationHeaderValue("Bearer", accessToken), ct)
            .ConfigureAwait(false);
        return OAuthHttp.Required(json, "email", "Google user info");
    }
}
