namespace LlmMux.Accounts.Providers.Gemini;

/// <summary>
/// How gemini-cli introduces itself to Code Assist. Sent by the login's project set-up and by the gateway on every
/// request, so both take it from here.
/// </summary>
public static class CodeAssistIdentity
{
    public const string UserAgent = "google-api-nodejs-client/9.15.1";
    public const string ApiClient = "gl-node/22.17.0";
    public const string ClientMetadata = "ideType=IDE_UNSPECIFIED,platform=PLATFORM_UNSPECIFIED,pluginType=GEMINI";

    /// <summary>The headers beyond the token, in the order they are sent.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers { get; } =
    [
        new("User-Agent", UserAgent),
        new("X-Goog-Api-Client", ApiClient),
        new("Client-Metadata", ClientMetadata),
    ];
}
