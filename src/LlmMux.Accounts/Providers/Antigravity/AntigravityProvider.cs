using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Providers.Antigravity;

/// <summary>
/// Google OAuth with the Antigravity IDE's installed-app client, then the Code Assist project set-up shared with
/// <c>gemini</c> (<see cref="CodeAssistSetup"/>) under Antigravity's identity. The file is the Go llm-mux's flat shape:
/// top-level <c>access_token</c>, <c>refresh_token</c>, <c>expired</c>, <c>email</c>, <c>project_id</c>.
/// </summary>
internal sealed class AntigravityProvider : RefreshTokenProvider
{
    public const string TypeName = "antigravity";

    public override string Type => TypeName;

    public override IReadOnlyList<string> Aliases { get; } = ["ag"];

    public override string DisplayName => "Google (Antigravity)";

    public override OAuthSettings DefaultOAuth { get; } = new OAuthSettings(
        AuthorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth",
        TokenUrl: "https://oauth2.googleapis.com/token",
        DeviceCodeUrl: null,
        // The public installed-app client of the Antigravity IDE (its "secret" is not confidential).
        ClientId: "1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com",
        ClientSecret: "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",
        CallbackPort: 51121,
        CallbackPath: "/oauth-callback",
        Scopes: "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/cclog https://www.googleapis.com/auth/experimentsandconfigs")
        .WithEndpoint(GeminiProvider.UserInfoUrlKey, "https://www.googleapis.com/oauth2/v1/userinfo?alt=json")
        .WithEndpoint(GeminiProvider.CodeAssistBaseUrlKey, "https://cloudcode-pa.googleapis.com");

    public override Task<LoginResult> LoginAsync(LoginContext context, CancellationToken ct) =>
        BrowserLogin.RunAsync(
            context,
            DisplayName,
            [new("access_type", "offline"), new("prompt", "consent")],
            callback => CompleteAsync(context, callback, ct),
            ct);

    public override ProviderDetails? Details(AccountFile file) =>
        GeminiProvider.FirstProject(file.ProjectId) is { } project ? new AntigravityDetails(project) : null;

    public override Task<TokenGrant> RefreshAsync(HttpClient http, OAuthSettings settings, string refreshToken, CancellationToken ct) =>
        GeminiProvider.GoogleRefreshAsync(http, settings, refreshToken, ct);

    private async Task<LoginResult> CompleteAsync(LoginContext context, BrowserCallback callback, CancellationToken ct)
    {
        var (settings, http) = (context.Settings, context.Http);
        var grant = await GeminiProvider.ExchangeCodeAsync(http, settings, callback, ct).ConfigureAwait(false);
        var email = await GeminiProvider.EmailAsync(http, settings, grant.AccessToken, ct).ConfigureAwait(false);
        await context.Output.WriteLineAsync("Setting up Antigravity (finding or creating the project)...").ConfigureAwait(false);
        var project = await CodeAssistSetup.ProjectAsync(
            http, settings, grant.AccessToken, context.Options.ProjectId, context.Options.TimeProvider, ct, AntigravityIdentity.SetupHeaders).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Using project {project}.").ConfigureAwait(false);
        var file = Apply(grant, new AccountFile { Type = TypeName, Email = email, ProjectId = project }, context.Now);
        return new LoginResult(file, email);
    }
}
