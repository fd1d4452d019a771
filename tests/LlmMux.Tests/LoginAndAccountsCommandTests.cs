using System.Text.Json;
using LlmMux.Cli;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Tests;

public sealed class LoginAndAccountsCommandTests : IDisposable
{
    private const string ClaudeToken = "sk-ant-oat-never-printed";
    private readonly string _dir = Directory.CreateTempSubdirectory("llm-mux-accounts-").FullName;

    private string AuthDir => Path.Combine(_dir, "auth");

    private string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task List_shows_every_account_with_its_state_and_expiry_and_the_skipped_files()
    {
        await WriteAccountsAsync();

        var (code, output, _) = await RunAsync("accounts");

        Assert.Equal(0, code);
        Assert.Equal(new[] { "ID", "PROVIDER", "USER", "STATE", "EXPIRES", "QUOTA" }, Cells(output.Split('\n')[0]));
        AssertRow(output, ["bob@example.com-proj1", "gemini", "bob@example.com", "disabled", .. Expires2030(), "-"]);
        AssertRow(output, ["claude-alice@example.com", "claude", "alice@example.com", "ready", .. Expires2030(), "-"]);
        AssertRow(output, ["codex-carol@example.com", "codex", "carol@example.com", "expired", "-", "-"]);
        AssertRow(output, ["github-copilot-octo", "copilot", "octo", "(work)", "ready", "-", "-"]);
        Assert.Contains("broken.json: not valid JSON for an account file", output, StringComparison.Ordinal);
        Assert.Contains("qwen-x.json: unsupported account type", output, StringComparison.Ordinal);
        Assert.DoesNotContain(ClaudeToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain("gho_", output, StringComparison.Ordinal);
        Assert.Equal(code, (await RunAsync("accounts", "list")).Code);
    }

    [Fact]
    public async Task List_of_a_missing_auth_dir_says_how_to_add_one_and_does_not_create_it()
    {
        var (code, output, _) = await RunAsync("accounts");

        Assert.Equal(0, code);
        Assert.Contains("No accounts in", output, StringComparison.Ordinal);
        Assert.Contains("llm-mux login", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(AuthDir));
    }

    [Fact]
    public async Task Disable_and_enable_rewrite_only_the_disabled_field()
    {
        await WriteAccountsAsync();
        var path = Path.Combine(AuthDir, "claude-alice@example.com.json");

        var (code, output, _) = await RunAsync("accounts", "disable", "claude-alice@example.com");
        Assert.Equal(0, code);
        Assert.Contains("Disabled account 'claude-alice@example.com'", output, StringComparison.Ordinal);
        using (var disabled = JsonDocument.Parse(await File.ReadAllTextAsync(path)))
        {
            Assert.True(disabled.RootElement.GetProperty("disabled").GetBoolean());
            Assert.Equal(ClaudeToken, disabled.RootElement.GetProperty("access_token").GetString());
            Assert.Equal(7, disabled.RootElement.GetProperty("custom_field").GetInt32());
        }

        AssertRow((await RunAsync("accounts")).Out, ["claude-alice@example.com", "claude", "alice@example.com", "disabled", .. Expires2030(), "-"]);

        (code, output, _) = await RunAsync("accounts", "enable", "claude-alice@example.com");
        Assert.Equal(0, code);
        Assert.Contains("Enabled account 'claude-alice@example.com'", output, StringComparison.Ordinal);
        using (var enabled = JsonDocument.Parse(await File.ReadAllTextAsync(path)))
        {
            Assert.False(enabled.RootElement.TryGetProperty("disabled", out _));
            Assert.Equal(7, enabled.RootElement.GetProperty("custom_field").GetInt32());
        }

        (code, output, _) = await RunAsync("accounts", "enable", "codex-carol@example.com");
        Assert.Equal(0, code);
        Assert.Contains("it is expired: run `llm-mux login codex`", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_deletes_the_file()
    {
        await WriteAccountsAsync();

        var (code, output, _) = await RunAsync("accounts", "remove", "github-copilot-octo");

        Assert.Equal(0, code);
        Assert.Contains("Removed account 'github-copilot-octo'", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(AuthDir, "github-copilot-octo.json")));
        Assert.True(File.Exists(Path.Combine(AuthDir, "claude-alice@example.com.json")));
        Assert.DoesNotContain("github-copilot-octo", (await RunAsync("accounts")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_id_fails_with_1_and_a_missing_id_is_a_usage_error()
    {
        await WriteAccountsAsync();

        foreach (var action in new[] { "remove", "disable", "enable" })
        {
            var (code, _, error) = await RunAsync("accounts", action, "claude-nobody");
            Assert.Equal(1, code);
            Assert.Contains("no account 'claude-nobody'", error, StringComparison.Ordinal);
            Assert.Equal(2, (await RunAsync("accounts", action)).Code);
        }

        var (skippedCode, _, skippedError) = await RunAsync("accounts", "disable", "broken");
        Assert.Equal(1, skippedCode);
        Assert.Contains("broken.json is not a usable account file", skippedError, StringComparison.Ordinal);
        Assert.Equal("{not json", await File.ReadAllTextAsync(Path.Combine(AuthDir, "broken.json")));
        Assert.Equal(2, (await RunAsync("accounts", "frobnicate")).Code);
    }

    [Fact]
    public async Task Login_with_an_unknown_or_no_provider_is_a_usage_error()
    {
        var (code, _, error) = await RunAsync("login", "openai");
        Assert.Equal(2, code);
        Assert.Contains("unknown login provider 'openai'; use one of claude, codex, gemini, copilot, antigravity", error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("login")).Code);
    }

    [Fact]
    public async Task Login_copilot_runs_the_device_flow_against_the_configured_endpoints_and_writes_the_account()
    {
        var polls = 0;
        await using var github = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            var body = context.Request.Path.Value switch
            {
                "/login/device/code" => """{"device_code":"device-secret","user_code":"ABCD-1234","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}""",
                "/login/oauth/access_token" => Interlocked.Increment(ref polls) == 1
                    ? """{"error":"authorization_pending"}"""
                    : """{"access_token":"gho_never_printed","token_type":"bearer","scope":"read:user"}""",
                "/user" => """{"login":"octocat"}""",
                _ => null,
            };
            if (body is null)
            {
                context.Response.StatusCode = 404;
                return;
            }

            await context.Response.WriteAsync(body);
        });
        await File.WriteAllTextAsync(ConfigPath, $"""
            auth-dir: "{AuthDir}"
            providers:
              - name: copilot
                type: copilot
                oauth:
                  device-code-url: {github.BaseUrl}/login/device/code
                  token-url: {github.BaseUrl}/login/oauth/access_token
                  copilot-token-url: {github.BaseUrl}/copilot_internal/v2/token
                  client-id: test-client
            """);

        // The GitHub user URL has no config key (LoginSettings.For does not map one), so only that call is redirected.
        using var handler = new RedirectGitHubApi(new Uri(github.BaseUrl));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LoginCommand.RunAsync(
            new LoginFlags("copilot", NoBrowser: true, Config: ConfigPath),
            new Dictionary<string, string?>().GetValueOrDefault,
            output,
            error,
            TextReader.Null,
            handler,
            new ImmediateTimers(),
            _ => throw new InvalidOperationException("--no-browser must not open a browser"));

        Assert.True(code == 0, error.ToString());
        var printed = output.ToString();
        Assert.Contains("https://github.com/login/device", printed, StringComparison.Ordinal);
        Assert.Contains("ABCD-1234", printed, StringComparison.Ordinal);
        Assert.Contains("Account 'github-copilot-octocat' (github-copilot-octocat.json) is ready", printed, StringComparison.Ordinal);
        Assert.Contains("picks it up without a restart", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("gho_never_printed", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("device-secret", printed, StringComparison.Ordinal);
        Assert.Equal(2, polls);
        Assert.All(github.Requests.Where(r => r.Method == "POST"), r => Assert.Contains("client_id=test-client", r.Body, StringComparison.Ordinal));

        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AuthDir, "github-copilot-octocat.json")));
        Assert.Equal("github-copilot", file.RootElement.GetProperty("type").GetString());
        Assert.Equal("octocat", file.RootElement.GetProperty("username").GetString());
        Assert.Equal("gho_never_printed", file.RootElement.GetProperty("access_token").GetString());

        var (listCode, list, _) = await RunAsync("accounts", "--config", ConfigPath);
        Assert.Equal(0, listCode);
        AssertRow(list, ["github-copilot-octocat", "copilot", "octocat", "ready", "-", "-"]);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        if (!File.Exists(ConfigPath))
        {
            await File.WriteAllTextAsync(ConfigPath, "providers: []\n");
        }

        var env = new Dictionary<string, string?> { ["LLM_MUX_AUTH_DIR"] = AuthDir };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var withConfig = args.Contains("--config") ? args : [.. args, "--config", ConfigPath];
        var code = await LlmMuxCli.RunAsync(withConfig, env.GetValueOrDefault, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertRow(string output, string[] cells) =>
        Assert.True(output.Split('\n').Any(l => Cells(l).SequenceEqual(cells)), $"no row '{string.Join(' ', cells)}' in:\n{output}");

    private static string[] Expires2030() =>
        AccountsCommand.Expires(DateTimeOffset.Parse("2030-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture)).Split(' ');

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Account files as the Go llm-mux writes them, plus two it cannot serve.</summary>
    private async Task WriteAccountsAsync()
    {
        Directory.CreateDirectory(AuthDir);
        var files = new Dictionary<string, string>
        {
            ["claude-alice@example.com.json"] = $$"""
                {"type":"claude","email":"alice@example.com","access_token":"{{ClaudeToken}}","refresh_token":"sk-ant-ort-x",
                 "id_token":"","expired":"2030-01-02T03:04:05Z","last_refresh":"2029-12-31T00:00:00Z","custom_field":7}
                """,
            ["codex-carol@example.com.json"] = """
                {"type":"codex","email":"carol@example.com","access_token":"a","refresh_token":"r","account_id":"acc-1","llm_mux_state":"expired"}
                """,
            ["bob@example.com-proj1.json"] = """
                {"type":"gemini","email":"bob@example.com","project_id":"proj1","disabled":true,
                 "token":{"access_token":"ya29.x","refresh_token":"1//x","expiry":"2030-01-02T03:04:05Z","token_type":"Bearer"}}
                """,
            ["github-copilot-octo.json"] = """
                {"type":"github-copilot","username":"octo","access_token":"gho_x","label":"work"}
                """,
            ["broken.json"] = "{not json",
            ["qwen-x.json"] = """{"type":"qwen","access_token":"q"}""",
        };
        foreach (var (name, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(AuthDir, name), text);
        }
    }

    /// <summary>Sends api.github.com to the fake; refuses every other non-loopback host so nothing leaves the machine.</summary>
    private sealed class RedirectGitHubApi(Uri fake) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (uri.Host == "api.github.com")
            {
                request.RequestUri = new Uri(fake, uri.PathAndQuery);
            }
            else if (!uri.IsLoopback)
            {
                throw new InvalidOperationException($"unexpected request to {uri.Host}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Fires every timer at once, so the device flow's polling interval costs no time.</summary>
    private sealed class ImmediateTimers : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
