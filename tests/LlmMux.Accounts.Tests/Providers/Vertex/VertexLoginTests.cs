using System.Text.Json.Nodes;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Tests.Infrastructure;
using LlmMux.Testing;

namespace LlmMux.Accounts.Tests.Providers.Vertex;

/// <summary><c>llm-mux login vertex --key-file sa.json</c>: no browser, no network; the key is checked and stored.</summary>
public sealed class VertexLoginTests : LoginHarness
{
    [Fact]
    public async Task The_key_file_becomes_an_account_file_named_after_the_service_account()
    {
        using var sa = new FakeServiceAccount("https://oauth2.googleapis.com/token");
        var keyFile = Path.Combine(Dir.Root, "sa.json");
        await File.WriteAllTextAsync(keyFile, sa.KeyJson());
        using var output = new StringWriter();

        var account = await AccountLogin.LoginAsync("vertex", Settings("vertex"), Options(output, keyFile), Store, Http, Timeout());

        Assert.Equal("vertex-mux-sa@proj-e2e.iam.gserviceaccount.com", account.Id);
        Assert.Equal("vertex", account.Type);
        Assert.Equal(sa.ClientEmail, account.Identity);
        Assert.Empty(Fake.Requests); // nothing is asked of Google at login
        var file = JsonNode.Parse(Dir.Read(account.Id + ".json"))!;
        Assert.Equal("vertex", file["type"]!.GetValue<string>());
        Assert.Equal(sa.ClientEmail, file["email"]!.GetValue<string>());
        Assert.Equal("proj-e2e", file["project_id"]!.GetValue<string>());
        Assert.Equal(sa.PrivateKeyPem, file["service_account"]!["private_key"]!.GetValue<string>());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Dir.File(account.Id + ".json")));
        }

        Assert.DoesNotContain("PRIVATE KEY", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("mux-sa@proj-e2e.iam.gserviceaccount.com", output.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadKeys => new()
    {
        { "not json", "not valid JSON" },
        { """{"type":"authorized_user","client_id":"x","refresh_token":"y"}""", "\"type\" is not \"service_account\"" },
        { "REMOVE:private_key", "no \"private_key\"" },
        { "REMOVE:client_email", "no \"client_email\"" },
        { "REMOVE:project_id", "no \"project_id\"" },
        { "REMOVE:token_uri", "no \"token_uri\"" },
        { "BADPEM", "not an RSA private key in PEM form" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task A_bad_key_file_is_refused_with_what_is_wrong_and_never_its_content(string content, string expected)
    {
        using var sa = new FakeServiceAccount("https://oauth2.googleapis.com/token");
        var secret = "MIIEsecretmaterial";
        var json = content switch
        {
            _ when content.StartsWith("REMOVE:", StringComparison.Ordinal) => sa.KeyJson((content["REMOVE:".Length..], null)),
            "BADPEM" => sa.KeyJson(("private_key", $"-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n")),
            _ => content,
        };
        var keyFile = Path.Combine(Dir.Root, "sa.json");
        await File.WriteAllTextAsync(keyFile, json);

        var error = await Assert.ThrowsAsync<OAuthException>(() => AccountLogin.LoginAsync("vertex", Settings("vertex"), Options(TextWriter.Null, keyFile), Store, Http, Timeout()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("sa.json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.Empty(Store.Accounts);
    }

    [Fact]
    public async Task A_missing_key_file_or_none_at_all_is_refused_plainly()
    {
        var missing = await Assert.ThrowsAsync<OAuthException>(() => AccountLogin.LoginAsync("vertex", Settings("vertex"), Options(TextWriter.Null, Path.Combine(Dir.Root, "nope.json")), Store, Http, Timeout()));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var none = await Assert.ThrowsAsync<OAuthException>(() => AccountLogin.LoginAsync("vertex", Settings("vertex"), Options(TextWriter.Null, null), Store, Http, Timeout()));
        Assert.Contains("--key-file", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vertex_is_a_listed_provider_that_reads_google_key_files()
    {
        Assert.Contains("vertex", SubscriptionProviders.Default.Types);
        Assert.Equal("vertex", SubscriptionProviders.Default.Find("service_account")!.Type);
    }

    private LoginOptions Options(TextWriter output, string? keyFile) => new() { Output = output, KeyFile = keyFile, TimeProvider = Time, NoBrowser = true };
}
