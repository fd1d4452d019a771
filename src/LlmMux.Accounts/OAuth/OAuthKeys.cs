namespace LlmMux.Accounts.OAuth;

/// <summary>
/// The <c>oauth:</c> keys every provider understands. A provider's own endpoints (its user-info URL, a token exchange)
/// are keys of its <see cref="OAuthSettings.Endpoints"/>, declared in its folder.
/// </summary>
public static class OAuthKeys
{
    public const string AuthorizeUrl = "authorize-url";
    public const string TokenUrl = "token-url";
    public const string DeviceCodeUrl = "device-code-url";
    public const string ClientId = "client-id";
    public const string ClientSecret = "client-secret";
    public const string Scopes = "scopes";
    public const string CallbackPort = "callback-port";
}
