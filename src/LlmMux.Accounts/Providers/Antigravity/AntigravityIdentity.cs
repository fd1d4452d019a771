namespace LlmMux.Accounts.Providers.Antigravity;

/// <summary>
/// How the Antigravity IDE introduces itself to Google's v1internal API. Sent by the login's project set-up and by
/// the gateway on every request, so both take it from here. The version in <see cref="UserAgent"/> ages: Google
/// answers an old one with "This version of Antigravity is no longer supported" (see docs/accounts.md).
/// </summary>
public static class AntigravityIdentity
{
    public const string UserAgent = "antigravity/1.15.8 darwin/arm64";
    public const string ApiClient = "google-cloud-sdk vscode_cloudshelleditor/0.1";
    public const string ClientMetadata = """{"ideType":"IDE_UNSPECIFIED","platform":"PLATFORM_UNSPECIFIED","pluginType":"GEMINI"}""";

    /// <summary>The headers of the login's project set-up (<c>loadCodeAssist</c>, <c>onboardUser</c>), in order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SetupHeaders { get; } =
    [
        new("User-Agent", UserAgent),
        new("X-Goog-Api-Client", ApiClient),
        new("Client-Metadata", ClientMetadata),
    ];

    /// <summary>The headers of a generate call beyond the token.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = [new("User-Agent", UserAgent)];
}
