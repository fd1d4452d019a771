using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>What every credential-service test runs with: an auth dir, a manual clock, one fake token endpoint (and Copilot exchange).</summary>
public abstract class CredentialHarness : IAsyncLifetime
{
    protected const string Id = "claude-alice@example.com";

    protected TempDir Dir { get; } = new();

    protected ManualTime Time { get; } = new();

    protected HttpClient Http { get; } = new();

    protected FakeServer Fake { get; private set; } = null!;

    public async Task InitializeAsync() => Fake = await FakeServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Fake.DisposeAsync();
        Http.Dispose();
        Dir.Dispose();
    }

    protected Harness Open(CapturingLogger<CredentialService>? logger = null)
    {
        var store = new AccountStore(Dir.Auth);
        store.Load();
        var settings = new OAuthSettings("unused", Fake.Url("/token"), null, "test-client", "test-secret", 0, "/callback", "s").WithEndpoint("copilot-token-url", Fake.Url("/copilot_internal/v2/token"));
        var service = new CredentialService(store, Http, _ => settings, new CredentialOptions(), logger, Time);
        return new Harness(store, service);
    }

    protected void WriteClaude(string accessToken, string refreshToken, TimeSpan expiresIn, bool disabled = false) =>
        Dir.Write(Id + ".json", TokenEndpoints.ClaudeFile(accessToken, refreshToken, Time.GetUtcNow(), expiresIn, disabled));

    protected void RotatingTokenEndpoint(Task? gate = null) => TokenEndpoints.Rotating(Fake, gate);

    protected static string Jwt(string payload) =>
        "eyJhbGciOiJub25lIn0." + PkceCodes.Base64UrlOf(System.Text.Encoding.UTF8.GetBytes(payload)) + ".sig";

    protected static Task WaitUntil(Func<bool> condition) => TokenEndpoints.WaitUntil(condition);
}
