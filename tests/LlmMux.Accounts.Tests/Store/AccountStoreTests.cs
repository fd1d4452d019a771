using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Providers.Codex;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;

namespace LlmMux.Accounts.Tests.Store;

public sealed class AccountStoreTests : IDisposable
{
    private const string GoClaudeFile = """
        {
          "id_token": "",
          "access_token": "sk-ant-oat01-SECRET-ACCESS",
          "refresh_token": "sk-ant-ort01-SECRET-REFRESH",
          "last_refresh": "2026-11-28T10:00:00+08:00",
          "email": "alice@example.com",
          "type": "claude",
          "expired": "2026-11-28T20:00:00+08:00",
          "priority": 3,
          "proxy_url": "socks5://127.0.0.1:1080",
          "nested": { "keep": [1, 2, { "x": true }] }
        }
        """;

    private const string GoGeminiFile = """
        {
          "auto": true,
          "checked": true,
          "email": "bob@example.com",
          "project_id": "proj-one,proj-two",
          "token": {
            "access_token": "ya29.SECRET",
            "client_id": "681255809395-x.apps.googleusercontent.com",
            "expiry": "2026-11-28T13:00:00.123456789Z",
            "refresh_token": "1//SECRET-REFRESH",
            "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "token_type": "Bearer",
            "token_uri": "https://oauth2.googleapis.com/token",
            "universe_domain": "googleapis.com"
          },
          "type": "gemini"
        }
        """;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Go_claude_file_loads_with_its_fields()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        var account = Assert.Single(store.Accounts);
        Assert.Equal("claude-alice@example.com", account.Id);
        Assert.Equal("claude", account.Type);
        Assert.Equal("alice@example.com", account.Identity);
        Assert.Equal(AccountState.Ready, account.State);
        Assert.False(account.Disabled);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), account.Expiry);
        Assert.Null(account.Details);
        Assert.DoesNotContain("SECRET", account.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewriting_keeps_unknown_fields_and_field_names()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        var account = await store.SetDisabledAsync("claude-alice@example.com", true);
        Assert.Equal(AccountState.Disabled, account.State);

        var before = JsonNode.Parse(GoClaudeFile)!.AsObject();
        var after = JsonNode.Parse(_dir.Read("claude-alice@example.com.json"))!.AsObject();
        foreach (var (key, value) in before)
        {
            Assert.True(JsonNode.DeepEquals(value, after[key]), $"field {key} changed");
        }

        Assert.True(after["disabled"]!.GetValue<bool>());
        Assert.Equal(before.Count + 1, after.Count);

        await store.SetDisabledAsync("claude-alice@example.com", false);
        var enabled = JsonNode.Parse(_dir.Read("claude-alice@example.com.json"))!.AsObject();
        Assert.False(enabled.ContainsKey("disabled"));
        Assert.Equal(AccountState.Ready, store.Find("claude-alice@example.com")!.State);
    }

    [Fact]
    public async Task Go_gemini_file_loads_and_its_token_extras_survive_a_rewrite()
    {
        // Go names gemini files <email>-<project>.json: the type comes from the content, not the name.
        _dir.Write("bob@example.com-proj-one.json", GoGeminiFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        var account = Assert.Single(store.Accounts);
        Assert.Equal("gemini", account.Type);
        Assert.Equal("bob@example.com", account.Identity);
        Assert.Equal("proj-one", Assert.IsType<GeminiDetails>(account.Details).ProjectId);
        Assert.Equal(new DateTime(2026, 11, 28, 13, 0, 0, DateTimeKind.Utc), account.Expiry!.Value.UtcDateTime.AddTicks(-(account.Expiry.Value.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)));

        await store.SetLabelAsync(account.Id, "work");
        var after = JsonNode.Parse(_dir.Read("bob@example.com-proj-one.json"))!.AsObject();
        var before = JsonNode.Parse(GoGeminiFile)!.AsObject();
        Assert.True(JsonNode.DeepEquals(before["token"], after["token"]));
        Assert.Equal("proj-one,proj-two", after["project_id"]!.GetValue<string>());
        Assert.True(after["auto"]!.GetValue<bool>());
        Assert.Equal("work", store.Find(account.Id)!.Label);
    }

    [Theory]
    [InlineData("github-copilot")]
    [InlineData("copilot")]
    public void Copilot_files_of_either_type_spelling_load(string type)
    {
        _dir.Write($"github-copilot-octo.json", $$"""{"type":"{{type}}","username":"octo","access_token":"gho_SECRET","timestamp":1764331200000}""");
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        var account = Assert.Single(store.Accounts);
        Assert.Equal("copilot", account.Type);
        Assert.Equal("octo", account.Identity);
        Assert.Null(account.Expiry);
    }

    [Fact]
    public void Codex_account_id_is_exposed()
    {
        _dir.Write("codex-c@example.com.json", """{"type":"codex","email":"c@example.com","access_token":"a","refresh_token":"r","account_id":"acc-123","expired":"2026-11-29T00:00:00Z"}""");
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        Assert.Equal("acc-123", Assert.IsType<CodexDetails>(Assert.Single(store.Accounts).Details).ChatGptAccountId);
    }

    [Fact]
    public async Task Files_are_0600_in_a_0700_dir()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // POSIX modes only
        }

        using var store = new AccountStore(_dir.Auth);
        store.Load();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir.Auth));

        await store.UpsertAsync("claude-a@example.com", _ => new AccountFile { Type = "claude", Email = "a@example.com", AccessToken = "t", RefreshToken = "r" });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.File("claude-a@example.com.json")));
        Assert.Empty(Directory.GetFiles(_dir.Auth, ".*"));
    }

    [Fact]
    public async Task A_leftover_partial_temp_file_never_replaces_a_good_file()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);

        // What a crash between "write temp" and "rename" leaves behind: a truncated hidden temp file.
        _dir.Write(".claude-alice@example.com.json.3f2a9c1d.tmp", GoClaudeFile[..40]);
        using var store = new AccountStore(_dir.Auth);
        store.Load();

        Assert.Single(store.Accounts);
        Assert.Empty(store.SkippedFiles);
        Assert.Equal(GoClaudeFile, _dir.Read("claude-alice@example.com.json"));

        // A later write still goes through and the stray file stays inert.
        await store.SetLabelAsync("claude-alice@example.com", "x");
        Assert.Equal("x", JsonNode.Parse(_dir.Read("claude-alice@example.com.json"))!["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_write_that_dies_before_the_rename_leaves_the_old_file_intact()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();
        var auth = _dir.Auth;
        AtomicFile.BeforeRenameForTest = temp =>
        {
            if (temp.StartsWith(auth, StringComparison.Ordinal))
            {
                throw new IOException("simulated crash");
            }
        };
        try
        {
            await Assert.ThrowsAsync<IOException>(() => store.SetDisabledAsync("claude-alice@example.com", true));
        }
        finally
        {
            AtomicFile.BeforeRenameForTest = null;
        }

        Assert.Equal(GoClaudeFile, _dir.Read("claude-alice@example.com.json"));
        Assert.Single(Directory.GetFiles(_dir.Auth));
        Assert.False(store.Find("claude-alice@example.com")!.Disabled);
    }

    [Fact]
    public async Task Bad_files_are_skipped_named_and_never_touched()
    {
        var logger = new CapturingLogger<AccountStore>();
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        const string broken = """{"type":"claude","access_token":"sk-SECRET-IN-BROKEN-FILE",""";
        _dir.Write("claude-broken.json", broken);
        _dir.Write("qwen-x.json", """{"type":"qwen","access_token":"q-SECRET"}""");
        _dir.Write("claude-empty.json", """{"type":"claude","email":"e@example.com"}""");
        using var store = new AccountStore(_dir.Auth, logger);
        store.Load();

        Assert.Equal(["claude-alice@example.com"], store.Accounts.Select(a => a.Id));
        Assert.Equal(["claude-broken.json", "claude-empty.json", "qwen-x.json"], store.SkippedFiles.Select(s => s.FileName));
        Assert.Contains("claude-broken.json", logger.All, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", logger.All, StringComparison.Ordinal);

        await store.SetDisabledAsync("claude-alice@example.com", true);
        await store.RescanAsync();
        Assert.Equal(broken, _dir.Read("claude-broken.json"));
        Assert.Equal(3, store.SkippedFiles.Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetDisabledAsync("claude-broken", true));
        Assert.Equal(broken, _dir.Read("claude-broken.json"));
    }

    [Fact]
    public async Task Remove_deletes_the_file_and_publishes()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();
        IReadOnlyList<Account>? published = null;
        store.Changed += (_, e) => published = e.Accounts;

        Assert.True(await store.RemoveAsync("claude-alice@example.com"));
        Assert.False(File.Exists(_dir.File("claude-alice@example.com.json")));
        Assert.NotNull(published);
        Assert.Empty(published);
        Assert.False(await store.RemoveAsync("claude-alice@example.com"));
    }

    [Fact]
    public async Task Own_writes_publish_once_and_a_rescan_does_not_republish()
    {
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        using var store = new AccountStore(_dir.Auth);
        store.Load();
        var events = 0;
        store.Changed += (_, _) => Interlocked.Increment(ref events);

        await store.SetDisabledAsync("claude-alice@example.com", true);
        await store.RescanAsync();
        await store.RescanAsync();

        Assert.Equal(1, events);
    }

    [Fact]
    public async Task Watcher_sees_hot_add_change_and_remove()
    {
        using var store = new AccountStore(_dir.Auth, debounce: TimeSpan.FromMilliseconds(20));
        store.Load();
        store.StartWatching();

        var added = NextChange(store, list => list.Any(a => a.Id == "claude-alice@example.com"));
        _dir.Write("claude-alice@example.com.json", GoClaudeFile);
        await added.WaitAsync(TimeSpan.FromSeconds(20));

        var disabled = NextChange(store, list => list.Any(a => a.Id == "claude-alice@example.com" && a.Disabled));
        var node = JsonNode.Parse(GoClaudeFile)!.AsObject();
        node["disabled"] = true;
        _dir.Write("claude-alice@example.com.json", node.ToJsonString());
        await disabled.WaitAsync(TimeSpan.FromSeconds(20));

        var removed = NextChange(store, list => list.Count == 0);
        File.Delete(_dir.File("claude-alice@example.com.json"));
        await removed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Empty(store.Accounts);
    }

    private static SubscriptionProvider Provider(string type) => SubscriptionProviders.Default.Require(type);

    [Fact]
    public void File_ids_are_type_dash_identity_and_safe()
    {
        Assert.Equal("claude-a@example.com", AccountFiles.IdFor(Provider("claude"), "a@example.com"));
        Assert.Equal("github-copilot-octo", AccountFiles.IdFor(Provider("copilot"), "octo"));
        var hostile = AccountFiles.IdFor(Provider("codex"), "../../etc/passwd");
        Assert.DoesNotContain('/', hostile);
        Assert.StartsWith("codex-", hostile, StringComparison.Ordinal);
        Assert.Equal("claude-a_b", AccountFiles.IdFor(Provider("claude"), "a b"));
    }

    [Fact]
    public void Account_file_to_string_is_redacted()
    {
        var file = JsonSerializer.Deserialize(GoClaudeFile, AccountJsonContext.Default.AccountFile)!;
        Assert.DoesNotContain("SECRET", file.ToString(), StringComparison.Ordinal);
    }

    private static Task NextChange(AccountStore store, Func<IReadOnlyList<Account>, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Changed += (_, e) =>
        {
            if (condition(e.Accounts))
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
