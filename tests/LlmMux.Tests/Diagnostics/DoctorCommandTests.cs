using LlmMux.Tests.Connect;

namespace LlmMux.Tests.Diagnostics;

/// <summary>
/// <c>llm-mux doctor</c> through the built CLI in a temporary HOME: a broken token, a base URL that cannot resolve
/// (<c>.invalid</c> never does) and a world-readable config are each reported as such; a good setup passes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DoctorCommandTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _home = Directory.CreateTempSubdirectory("llm-mux-doctor-").FullName;
    private readonly System.Net.Sockets.TcpListener _fakeUpstream = new(System.Net.IPAddress.Loopback, 0);

    public DoctorCommandTests() => _fakeUpstream.Start();

    public void Dispose()
    {
        _fakeUpstream.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private string Auth => Path.Combine(_home, "auth");

    private string Config => Path.Combine(_home, "llm-mux.yaml");

    private string LocalUrl => $"http://127.0.0.1:{((System.Net.IPEndPoint)_fakeUpstream.LocalEndpoint).Port}/v1";

    private Task<CliResult> DoctorAsync(params string[] args) =>
        CliProcess.RunAsync(_home, new Dictionary<string, string> { ["HOME"] = _home, ["LLM_MUX_AUTH_DIR"] = Auth }, ["doctor", .. args]);

    private async Task WriteSetupAsync(string baseUrl, string expiry, string? state = null)
    {
        await File.WriteAllTextAsync(Config, $"""
            api-keys: [doctor-client-key]
            providers:
              - name: local
                type: openai
                base-url: {baseUrl}
                api-keys: [sk-doctor-never-shown]
                models: [gpt-4.1]
            """);
        File.SetUnixFileMode(Config, OwnerOnly);
        Directory.CreateDirectory(Auth);
        File.SetUnixFileMode(Auth, OwnerOnly | UnixFileMode.UserExecute);
        var account = Path.Combine(Auth, "claude-alice@example.com.json");
        var extra = state is null ? "" : $""","llm_mux_state":"{state}" """.TrimEnd();
        await File.WriteAllTextAsync(account,
            $$"""{"type":"claude","email":"alice@example.com","access_token":"sk-ant-oat01-never-shown","refresh_token":"r-never-shown","expired":"{{expiry}}"{{extra}}}""");
        File.SetUnixFileMode(account, OwnerOnly);
    }

    [Fact]
    public async Task A_good_setup_passes_every_check()
    {
        await WriteSetupAsync(LocalUrl, "2099-01-01T00:00:00Z");

        var run = await DoctorAsync();

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains($"ok   config: {Config} loads and validates", run.Out, StringComparison.Ordinal);
        Assert.Contains($"ok   config permissions: {Config} is 0600", run.Out, StringComparison.Ordinal);
        Assert.Contains($"ok   auth dir permissions: {Auth} is 0700", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok   account claude-alice@example.com: token valid until 2099-01-01", run.Out, StringComparison.Ordinal);
        Assert.Contains($"ok   provider local: 127.0.0.1:{new Uri(LocalUrl).Port} answers", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Out.Split('\n'), l => l.StartsWith("fail", StringComparison.Ordinal) || l.StartsWith("warn", StringComparison.Ordinal));
        Assert.EndsWith("No check failed.\n", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("never-shown", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_token_an_unresolvable_base_url_and_a_world_readable_config_fail_each_with_its_reason()
    {
        await WriteSetupAsync("http://nonexistent.invalid/v1", "2020-01-01T00:00:00Z", state: "expired");
        File.SetUnixFileMode(Config, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await DoctorAsync();

        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains($"fail config permissions: {Config} is 0644: everyone on this machine can read the keys in it; run `chmod 600 {Config}`", run.Out, StringComparison.Ordinal);
        Assert.Contains("fail account claude-alice@example.com: token expired and claude refused to refresh it; run `llm-mux login claude` again", run.Out, StringComparison.Ordinal);
        Assert.Contains("fail provider local: nonexistent.invalid does not resolve (http://nonexistent.invalid/v1)", run.Out, StringComparison.Ordinal);
        Assert.EndsWith("Some checks failed (see the fail lines above).\n", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_access_token_and_loose_auth_files_are_named_with_the_fix()
    {
        await WriteSetupAsync(LocalUrl, "2020-01-01T00:00:00Z");
        File.SetUnixFileMode(Auth, OwnerOnly | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var account = Path.Combine(Auth, "claude-alice@example.com.json");
        File.SetUnixFileMode(account, OwnerOnly | UnixFileMode.GroupRead);

        var run = await DoctorAsync();

        Assert.True(run.Code == 1, run.ToString());
        Assert.Contains($"warn auth dir permissions: {Auth} is 0750: others can list or enter it; run `chmod 700 {Auth}`", run.Out, StringComparison.Ordinal);
        Assert.Contains($"fail account file permissions: {account} is 0640: others can read its tokens; run `chmod 600 {account}`", run.Out, StringComparison.Ordinal);
        Assert.Contains("warn account claude-alice@example.com: access token expired at", run.Out, StringComparison.Ordinal);
        Assert.Contains("the gateway refreshes it on first use (not checked against claude)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_that_does_not_validate_fails_with_its_line()
    {
        await File.WriteAllTextAsync(Config, "port: 8317\nproviders:\n  - name: x\n    type: no-such-type\n");

        var run = await DoctorAsync();

        Assert.Equal(1, run.Code);
        var line = Assert.Single(run.Out.Split('\n'), l => l.StartsWith("fail config: ", StringComparison.Ordinal));
        Assert.Contains("line 4", line, StringComparison.Ordinal);
    }
}
