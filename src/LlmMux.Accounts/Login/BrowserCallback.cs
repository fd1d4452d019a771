using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Login;

/// <summary>What the browser half of a PKCE login brought back, for the provider's code exchange. Holds secrets.</summary>
internal sealed record BrowserCallback(AuthorizationCode Code, string RedirectUri, PkceCodes Pkce, string State)
{
    public override string ToString() => "BrowserCallback { redacted }";
}
