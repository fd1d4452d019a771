using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>
/// An auth dir, a fake token endpoint that the test can make hang, and the OAuth client as the host builds it: the
/// standard resilience handler over a handler that follows no redirects. Tests of a hanging endpoint shorten the
/// attempt timeout so they do not wait 10 s; the others keep the host's defaults, so a slow machine never turns an
/// answer into a timeout.
/// </summary>
internal sealed class FaultFixture : IAsyncDisposable
{
    public const string Id = "claude-alice@example.com";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServiceProvider _services;

    private FaultFixture(FakeServer fake, TimeSpan? attemptTimeout)
    {
        Fake = fake;
        var services = new ServiceCollection();
        services.AddHttpClient("oauth")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.DisableForUnsafeHttpMethods();
                if (attemptTimeout is { } attempt)
                {
                    o.AttemptTimeout.Timeout = attempt;
                    o.TotalRequestTimeout.Timeout = attempt * 3;
                }
            });
        _services = services.BuildServiceProvider();
        Http = _services.GetRequiredService<IHttpClientFactory>().CreateClient("oauth");
    }

    public TempDir Dir { get; } = new();

    public ManualTime Time { get; } = new();

    public FakeServer Fake { get; }

    public HttpClient Http { get; }

    public static async Task<FaultFixture> StartAsync(TimeSpan? attemptTimeout = null) => new(await FakeServer.StartAsync(), attemptTimeout);

    /// <summary>A token endpoint at <paramref name="path"/> that accepts the request and never answers (until disposal).</summary>
    public void Hang(string path = "/token") => Fake.On(path, async (context, _) =>
    {
        try
        {
            await _release.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    public void WriteClaude(string accessToken, string refreshToken, TimeSpan expiresIn) =>
        Dir.Write(Id + ".json", TokenEndpoints.ClaudeFile(accessToken, refreshToken, Time.GetUtcNow(), expiresIn));

    public Harness Open(CredentialOptions? options = null, CapturingLogger<CredentialService>? logger = null, HttpClient? http = null)
    {
        var store = new AccountStore(Dir.Auth);
        store.Load();
        var settings = new OAuthSettings("unused", Fake.Url("/token"), null, "test-client", "test-secret", 0, "/callback", "s").WithEndpoint("copilot-token-url", Fake.Url("/copilot_internal/v2/token"));
        return new Harness(store, new CredentialService(store, http ?? Http, _ => settings, options ?? new CredentialOptions(), logger, Time));
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await Fake.DisposeAsync();
        await _services.DisposeAsync();
        Dir.Dispose();
    }
}
