using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Login;

/// <summary>What a provider's login runs with: its effective OAuth settings, how to talk to the user, and the HTTP client.</summary>
internal sealed record LoginContext(OAuthSettings Settings, LoginOptions Options, HttpClient Http)
{
    public TextWriter Output => Options.Output;

    public DateTimeOffset Now => Options.TimeProvider.GetUtcNow();
}
