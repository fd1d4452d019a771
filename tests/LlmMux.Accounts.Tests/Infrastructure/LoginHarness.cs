using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>
/// What every login test runs with: an auth dir and its store, one fake playing every OAuth endpoint, a manual clock,
/// and a browser that follows the authorize URL to the callback.
/// </summary>
public abstract class LoginHarness : IAsyncLifetime
{
    protected TempDir Dir { get; } = new();

    protected HttpClient Http { get; } = new();

    protected ManualTime Time { get; } = new();

    protected FakeServer Fake { get; private set; } = null!;

    protected AccountStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fake = await FakeServer.StartAsync();
        Store = new AccountStore(Dir.Auth);
        Store.Load();
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await Fake.DisposeAsync();
        Http.Dispose();
        Dir.Dispose();
    }

    protected OAuthSettings Settings(string type, string? tokenPath = null)
    {
        var defaults = SubscriptionProviders.Default.DefaultOAuth(type);
        return defaults.With(new Dictionary<string, string?>
        {
            ["authorize-url"] = Fake.Url("/oauth/authorize"),
            ["token-url"] = Fake.Url(tokenPath ?? new Uri(defaults.TokenUrl).AbsolutePath),
            ["device-code-url"] = Fake.Url("/login/device/code"),
            ["copilot-token-url"] = Fake.Url("/copilot_internal/v2/token"),
            ["client-id"] = type + "-client",
            ["callback-port"] = "0",
            ["client-secret"] = type == "gemini" ? "gemini-secret" : null,
            ["user-info-url"] = Fake.Url("/oauth2/v1/userinfo?alt=json"),
            ["code-assist-base-url"] = Fake.BaseUrl,
            ["github-user-url"] = Fake.Url("/user"),
        });
    }

    protected LoginOptions Options(Browser browser, TextWriter? output = null) => new()
    {
        OpenBrowser = browser.Open,
        Output = output ?? TextWriter.Null,
        TimeProvider = Time,
    };

    protected static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    protected static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));

    /// <summary>Plays the user's browser: after "opening" the authorize URL it calls the redirect URI like the provider would.</summary>
    protected sealed class Browser
    {
        public string? Url { get; private set; }

        public string? Error { get; init; }

        public int? CallbackStatus { get; private set; }

        /// <summary>First calls the redirect URI with another state (as a stale tab or a local process could).</summary>
        public bool ForgedFirst { get; init; }

        public int? ForgedStatus { get; private set; }

        public Task Called { get; private set; } = Task.CompletedTask;

        public bool Open(string url)
        {
            Url = url;
            var query = Query(url);
            var redirect = query["redirect_uri"].Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
            var callback = Error is null
                ? $"{redirect}?code=the-code&state={Uri.EscapeDataString(query["state"])}"
                : $"{redirect}?error={Error}&state={Uri.EscapeDataString(query["state"])}";
            Called = Task.Run(async () =>
            {
                using var http = new HttpClient();
                if (ForgedFirst)
                {
                    using var forged = await http.GetAsync($"{redirect}?code=forged-code&state=forged-state");
                    ForgedStatus = (int)forged.StatusCode;
                }

                using var response = await http.GetAsync(callback);
                CallbackStatus = (int)response.StatusCode;
            });
            return true;
        }
    }

    /// <summary>Standard input whose first line arrives when the test decides.</summary>
    protected sealed class DeferredReader(Func<Task<string?>> line) : TextReader
    {
        private int _read;

        public override string? ReadLine() => Interlocked.Exchange(ref _read, 1) == 0 ? line().GetAwaiter().GetResult() : null;
    }
}
