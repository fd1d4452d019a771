using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Login;

public sealed class LoginTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new();
    private readonly ManualTime _time = new();
    private FakeServer _fake = null!;
    private AccountStore _store = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeServer.StartAsync();
        _store = new AccountStore(_dir.Auth);
        _store.Load();
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _fake.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Claude_login_completes_through_the_callback()
    {
        _fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"sk-ant-oat-1","refresh_token":"sk-ant-ort-1","expires_in":28800,"token_type":"Bearer","account":{"email_address":"alice@example.com","uuid":"u"},"organization":{"uuid":"o"}}"""));
        var settings = Settings("claude", tokenPath: "/v1/oauth/token");
        var browser = new Browser();
        var output = new StringWriter();

        var account = await AccountLogin.LoginAsync("claude", settings, Options(browser, output), _store, _http, Timeout());

        // The authorize URL carries everything the provider needs.
        var query = Query(browser.Url!);
        Assert.StartsWith(_fake.Url("/oauth/authorize") + "?", browser.Url, StringComparison.Ordinal);
        Assert.Equal("true", query["code"]);
        Assert.Equal("claude-client", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.StartsWith("http://localhost:", query["redirect_uri"], StringComparison.Ordinal);
        Assert.EndsWith("/callback", query["redirect_uri"], StringComparison.Ordinal);

        // The code exchange is JSON with the verifier matching the challenge.
        var body = JsonNode.Parse(Assert.Single(_fake.Requests).Body)!.AsObject();
        Assert.Equal("authorization_code", body["grant_type"]!.GetValue<string>());
        Assert.Equal("the-code", body["code"]!.GetValue<string>());
        Assert.Equal(query["state"], body["state"]!.GetValue<string>());
        Assert.Equal(query["redirect_uri"], body["redirect_uri"]!.GetValue<string>());
        Assert.Equal(query["code_challenge"], PkceCodes.ChallengeOf(body["code_verifier"]!.GetValue<string>()));
        Assert.True(body["code_verifier"]!.GetValue<string>().Length >= 43);

        Assert.Equal("claude-alice@example.com", account.Id);
        Assert.Equal(AccountState.Ready, account.State);
        var file = JsonNode.Parse(_dir.Read("claude-alice@example.com.json"))!.AsObject();
        Assert.Equal("claude", file["type"]!.GetValue<string>());
        Assert.Equal("alice@example.com", file["email"]!.GetValue<string>());
        Assert.Equal("sk-ant-oat-1", file["access_token"]!.GetValue<string>());
        Assert.Equal("sk-ant-ort-1", file["refresh_token"]!.GetValue<string>());
        Assert.Equal(AccountFiles.FormatTime(_time.GetUtcNow().AddHours(8)), file["expired"]!.GetValue<string>());
        Assert.Contains(browser.Url!, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("claude-alice@example.com", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-ant", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codex_login_uses_a_form_and_reads_the_id_token()
    {
        var idToken = "eyJhbGciOiJub25lIn0." + PkceCodes.Base64UrlOf("""{"email":"c@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acc-9","chatgpt_plan_type":"plus"}}"""u8) + ".x";
        _fake.OnJson("/oauth/token", _ => (200, $$"""{"access_token":"cat","refresh_token":"crt","id_token":"{{idToken}}","expires_in":864000}"""));
        var browser = new Browser();

        var account = await AccountLogin.LoginAsync("codex", Settings("codex"), Options(browser), _store, _http, Timeout());

        var query = Query(browser.Url!);
        Assert.Equal("login", query["prompt"]);
        Assert.Equal("true", query["codex_cli_simplified_flow"]);
        Assert.Equal("true", query["id_token_add_organizations"]);
        Assert.EndsWith("/auth/callback", query["redirect_uri"], StringComparison.Ordinal);
        var form = Assert.Single(_fake.Requests).Form();
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal("codex-client", form["client_id"]);
        Assert.Equal("the-code", form["code"]);
        Assert.Equal(query["code_challenge"], PkceCodes.ChallengeOf(form["code_verifier"]));

        Assert.Equal("codex-c@example.com", account.Id);
        Assert.Equal("acc-9", Assert.IsType<CodexDetails>(account.Details).ChatGptAccountId);
        var file = JsonNode.Parse(_dir.Read("codex-c@example.com.json"))!.AsObject();
        Assert.Equal("acc-9", file["account_id"]!.GetValue<string>());
        Assert.Equal(idToken, file["id_token"]!.GetValue<string>());
        Assert.NotNull(file["last_refresh"]);
    }

    [Fact]
    public async Task Gemini_login_exchanges_reads_the_email_and_onboards_a_project()
    {
        _fake.OnJson("/token", _ => (200, """{"access_token":"ya29.a","refresh_token":"1//r","expires_in":3599,"token_type":"Bearer","scope":"x"}"""));
        _fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"g@example.com","verified_email":true}"""));
        _fake.OnJson("/v1internal:loadCodeAssist", _ => (200, """{"allowedTiers":[{"id":"free-tier","isDefault":true,"userDefinedCloudaicompanionProject":false},{"id":"standard-tier"}]}"""));
        var onboardCalls = 0;
        _fake.OnJson("/v1internal:onboardUser", _ => Interlocked.Increment(ref onboardCalls) < 3
            ? (200, """{"name":"operations/1","done":false}""")
            : (200, """{"name":"operations/1","done":true,"response":{"cloudaicompanionProject":{"id":"proj-auto-123","name":"p"}}}"""));
        var browser = new Browser();

        var account = await AccountLogin.LoginAsync("gemini", Settings("gemini"), Options(browser), _store, _http, Timeout());

        var query = Query(browser.Url!);
        Assert.Equal("offline", query["access_type"]);
        Assert.Equal("consent", query["prompt"]);
        var exchange = _fake.Requests.First(r => r.Path == "/token").Form();
        Assert.Equal("gemini-secret", exchange["client_secret"]);
        Assert.Equal("authorization_code", exchange["grant_type"]);
        var userInfo = _fake.Requests.First(r => r.Path == "/oauth2/v1/userinfo");
        Assert.Equal("Bearer ya29.a", userInfo.Headers["Authorization"]);
        var load = _fake.Requests.First(r => r.Path == "/v1internal:loadCodeAssist");
        Assert.Equal("GEMINI", JsonNode.Parse(load.Body)!["metadata"]!["pluginType"]!.GetValue<string>());
        Assert.Equal("Bearer ya29.a", load.Headers["Authorization"]);
        var onboard = _fake.Requests.Where(r => r.Path == "/v1internal:onboardUser").ToList();
        Assert.Equal(3, onboard.Count);
        Assert.Equal("free-tier", JsonNode.Parse(onboard[0].Body)!["tierId"]!.GetValue<string>());
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], _time.Delays);

        Assert.Equal("gemini-g@example.com", account.Id);
        Assert.Equal("proj-auto-123", Assert.IsType<GeminiDetails>(account.Details).ProjectId);
        var file = JsonNode.Parse(_dir.Read("gemini-g@example.com.json"))!.AsObject();
        Assert.Equal("gemini", file["type"]!.GetValue<string>());
        Assert.Equal("proj-auto-123", file["project_id"]!.GetValue<string>());
        Assert.Equal("ya29.a", file["token"]!["access_token"]!.GetValue<string>());
        Assert.Equal("1//r", file["token"]!["refresh_token"]!.GetValue<string>());
        Assert.Equal("Bearer", file["token"]!["token_type"]!.GetValue<string>());
        Assert.NotNull(file["token"]!["expiry"]);
    }

    [Fact]
    public async Task Gemini_login_uses_the_project_loadCodeAssist_reports()
    {
        _fake.OnJson("/token", _ => (200, """{"access_token":"ya29.a","refresh_token":"1//r","expires_in":3599}"""));
        _fake.OnJson("/oauth2/v1/userinfo", _ => (200, """{"email":"g@example.com"}"""));
        _fake.OnJson("/v1internal:loadCodeAssist", _ => (200, """{"currentTier":{"id":"free-tier"},"cloudaicompanionProject":"existing-proj"}"""));

        var account = await AccountLogin.LoginAsync("gemini", Settings("gemini"), Options(new Browser()), _store, _http, Timeout());

        Assert.Equal("existing-proj", Assert.IsType<GeminiDetails>(account.Details).ProjectId);
        Assert.Equal(0, _fake.Count("/v1internal:onboardUser"));
    }

    [Fact]
    public async Task Copilot_device_flow_polls_through_pending_and_slow_down()
    {
        _fake.OnJson("/login/device/code", _ => (200, """{"device_code":"dev-123","user_code":"WDJB-MJHT","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"""));
        var polls = 0;
        _fake.OnJson("/login/oauth/access_token", _ => Interlocked.Increment(ref polls) switch
        {
            1 or 2 => (200, """{"error":"authorization_pending","error_description":"pending"}"""),
            3 => (200, """{"error":"slow_down","error_description":"too fast"}"""),
            _ => (200, """{"access_token":"gho_device_token","token_type":"bearer","scope":"read:user"}"""),
        });
        _fake.OnJson("/user", _ => (200, """{"login":"octo","id":1}"""));
        var output = new StringWriter();
        var opened = new List<string>();

        var account = await AccountLogin.LoginAsync(
            "copilot",
            Settings("copilot"),
            new LoginOptions { Output = output, OpenBrowser = u => { opened.Add(u); return true; }, TimeProvider = _time },
            _store,
            _http,
            Timeout());

        Assert.Contains("WDJB-MJHT", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("https://github.com/login/device", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["https://github.com/login/device"], opened);
        var deviceForm = _fake.Requests.First(r => r.Path == "/login/device/code").Form();
        Assert.Equal("copilot-client", deviceForm["client_id"]);
        Assert.Equal("read:user", deviceForm["scope"]);
        var pollForm = _fake.Requests.First(r => r.Path == "/login/oauth/access_token").Form();
        Assert.Equal("dev-123", pollForm["device_code"]);
        Assert.Equal("urn:ietf:params:oauth:grant-type:device_code", pollForm["grant_type"]);
        Assert.Equal(4, polls);
        Assert.Equal([5, 5, 5, 10], _time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal("token gho_device_token", _fake.Requests.First(r => r.Path == "/user").Headers["Authorization"]);

        Assert.Equal("github-copilot-octo", account.Id);
        Assert.Equal("copilot", account.Type);
        var file = JsonNode.Parse(_dir.Read("github-copilot-octo.json"))!.AsObject();
        Assert.Equal("github-copilot", file["type"]!.GetValue<string>());
        Assert.Equal("octo", file["username"]!.GetValue<string>());
        Assert.Equal("gho_device_token", file["access_token"]!.GetValue<string>());
        Assert.DoesNotContain("gho_device_token", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copilot_device_flow_stops_when_the_code_expires()
    {
        _fake.OnJson("/login/device/code", _ => (200, """{"device_code":"d","user_code":"U","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"""));
        _fake.OnJson("/login/oauth/access_token", _ => (200, """{"error":"expired_token"}"""));

        var error = await Assert.ThrowsAsync<OAuthException>(() => AccountLogin.LoginAsync(
            "copilot", Settings("copilot"), new LoginOptions { NoBrowser = true, TimeProvider = _time }, _store, _http, Timeout()));

        Assert.Equal("expired_token", error.Error);
        Assert.Empty(_store.Accounts);
    }

    [Fact]
    public async Task A_callback_with_the_wrong_state_is_refused_and_the_login_waits_for_the_right_one()
    {
        _fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a","refresh_token":"r","expires_in":3600,"account":{"email_address":"x@example.com"}}"""));
        var browser = new Browser { ForgedFirst = true };

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), Options(browser), _store, _http, Timeout());

        await browser.Called;
        Assert.Equal(400, browser.ForgedStatus);
        Assert.Equal(200, browser.CallbackStatus);
        Assert.Equal("claude-x@example.com", account.Id);
        Assert.Equal("the-code", JsonNode.Parse(Assert.Single(_fake.Requests).Body)!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_denied_authorization_is_reported()
    {
        var browser = new Browser { Error = "access_denied" };

        var error = await Assert.ThrowsAsync<OAuthException>(() =>
            AccountLogin.LoginAsync("codex", Settings("codex"), Options(browser), _store, _http, Timeout()));

        Assert.Equal("access_denied", error.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pasted_redirect_url_or_code_hash_state_completes_the_login(bool fullUrl)
    {
        _fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a","refresh_token":"r","expires_in":3600,"account":{"email_address":"p@example.com"}}"""));
        string? url = null;
        var urlSeen = new TaskCompletionSource();
        var input = new DeferredReader(async () =>
        {
            await urlSeen.Task;
            var state = Query(url!)["state"];
            return fullUrl ? $"http://localhost:54545/callback?code=pasted-code&state={Uri.EscapeDataString(state)}" : $"pasted-code#{state}";
        });
        var options = new LoginOptions
        {
            Input = input,
            OpenBrowser = u => { url = u; urlSeen.SetResult(); return false; },
            TimeProvider = _time,
        };

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), options, _store, _http, Timeout());

        Assert.Equal("claude-p@example.com", account.Id);
        var body = JsonNode.Parse(Assert.Single(_fake.Requests).Body)!;
        Assert.Equal("pasted-code", body["code"]!.GetValue<string>());
        Assert.Equal(Query(url!)["state"], body["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pasted_url_from_another_attempt_is_rejected()
    {
        var input = new DeferredReader(() => Task.FromResult<string?>("http://localhost:54545/callback?code=c&state=someone-else"));
        var options = new LoginOptions { Input = input, NoBrowser = true, TimeProvider = _time };

        var error = await Assert.ThrowsAsync<OAuthException>(() =>
            AccountLogin.LoginAsync("claude", Settings("claude"), options, _store, _http, Timeout()));

        Assert.Contains("state mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task Name_option_names_the_file_and_sets_the_label_and_relogin_keeps_extra_fields()
    {
        _fake.OnJson("/v1/oauth/token", _ => (200, """{"access_token":"a2","refresh_token":"r2","expires_in":3600,"account":{"email_address":"alice@example.com"}}"""));
        _dir.Write("claude-work.json", """{"type":"claude","email":"alice@example.com","access_token":"a1","refresh_token":"r1","llm_mux_state":"expired","priority":7}""");
        await _store.RescanAsync();
        Assert.Equal(AccountState.Expired, _store.Find("claude-work")!.State);

        var account = await AccountLogin.LoginAsync("claude", Settings("claude", tokenPath: "/v1/oauth/token"), Options(new Browser()) with { Name = "work" }, _store, _http, Timeout());

        Assert.Equal("claude-work", account.Id);
        Assert.Equal("work", account.Label);
        Assert.Equal(AccountState.Ready, account.State);
        var file = JsonNode.Parse(_dir.Read("claude-work.json"))!.AsObject();
        Assert.Equal(7, file["priority"]!.GetValue<int>());
        Assert.Equal("r2", file["refresh_token"]!.GetValue<string>());
        Assert.False(file.ContainsKey("llm_mux_state"));
    }

    private OAuthSettings Settings(string type, string? tokenPath = null)
    {
        var defaults = SubscriptionProviders.Default.DefaultOAuth(type);
        return defaults.With(new Dictionary<string, string?>
        {
            ["authorize-url"] = _fake.Url("/oauth/authorize"),
            ["token-url"] = _fake.Url(tokenPath ?? new Uri(defaults.TokenUrl).AbsolutePath),
            ["device-code-url"] = _fake.Url("/login/device/code"),
            ["copilot-token-url"] = _fake.Url("/copilot_internal/v2/token"),
            ["client-id"] = type + "-client",
            ["callback-port"] = "0",
            ["client-secret"] = type == "gemini" ? "gemini-secret" : null,
            ["user-info-url"] = _fake.Url("/oauth2/v1/userinfo?alt=json"),
            ["code-assist-base-url"] = _fake.BaseUrl,
            ["github-user-url"] = _fake.Url("/user"),
        });
    }

    private LoginOptions Options(Browser browser, TextWriter? output = null) => new()
    {
        OpenBrowser = browser.Open,
        Output = output ?? TextWriter.Null,
        TimeProvider = _time,
    };

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));

    /// <summary>Plays the user's browser: after "opening" the authorize URL it calls the redirect URI like the provider would.</summary>
    private sealed class Browser
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
    private sealed class DeferredReader(Func<Task<string?>> line) : TextReader
    {
        private int _read;

        public override string? ReadLine() => Interlocked.Exchange(ref _read, 1) == 0 ? line().GetAwaiter().GetResult() : null;
    }
}
