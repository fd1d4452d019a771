using System.Text.Json.Nodes;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;
using LlmMux.Accounts.Tests.Infrastructure;
using LlmMux.Testing;

namespace LlmMux.Accounts.Tests.Providers.Vertex;

/// <summary>Vertex AI: the service-account key signs a JWT that a Google-like token endpoint verifies and exchanges.</summary>
public sealed class VertexRefreshTests : CredentialHarness
{
    private const string AccountId = "vertex-mux-sa@proj-e2e.iam.gserviceaccount.com";

    [Fact]
    public async Task The_signed_assertion_is_exchanged_cached_and_renewed_before_expiry()
    {
        using var sa = new FakeServiceAccount(Fake.Url("/token"));
        Dir.Write(AccountId + ".json", AccountFileOf(sa));
        var issued = 0;
        var rejections = new List<string>();
        Fake.OnJson("/token", request => GoogleTokenEndpoint(sa, request, ref issued, rejections));
        using var h = Open();

        var first = await h.Service.GetAsync(AccountId, default);
        var cached = await h.Service.GetAsync(AccountId, default);

        Assert.Empty(rejections);
        Assert.Equal("ya29.token-1", first.AccessToken);
        Assert.Equal("ya29.token-1", cached.AccessToken);
        Assert.Equal(Time.GetUtcNow().AddSeconds(3599), first.ExpiresAt);
        Assert.Equal("proj-e2e", Assert.IsType<LlmMux.Accounts.Providers.Vertex.VertexDetails>(first.Details).ProjectId);
        var form = Assert.Single(Fake.Requests).Form();
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);

        // Within the refresh lead of the hour: a new assertion (a later iat), a new token; nothing is written to the file.
        Time.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal("ya29.token-2", (await h.Service.GetAsync(AccountId, default)).AccessToken);
        Assert.Empty(rejections);
        Assert.NotEqual(form["assertion"], Fake.Requests[1].Form()["assertion"]);
        Assert.DoesNotContain("ya29.", Dir.Read(AccountId + ".json"), StringComparison.Ordinal);

        // Upstream refused the token (401): a forced exchange.
        Assert.Equal("ya29.token-3", (await h.Service.RefreshAsync(AccountId, "ya29.token-2", default)).AccessToken);
    }

    [Fact]
    public async Task A_key_google_no_longer_accepts_marks_the_account_expired()
    {
        using var sa = new FakeServiceAccount(Fake.Url("/token"));
        using var deleted = new FakeServiceAccount(Fake.Url("/token")); // the same account, a key that was deleted
        Dir.Write(AccountId + ".json", AccountFileOf(deleted));
        var issued = 0;
        var rejections = new List<string>();
        Fake.OnJson("/token", request => GoogleTokenEndpoint(sa, request, ref issued, rejections));
        using var h = Open();

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(AccountId, default).AsTask());

        Assert.Equal(["Invalid JWT Signature."], rejections);
        Assert.Equal(AccountUnavailableReason.Expired, error.Reason);
        Assert.Equal(AccountState.Expired, h.Store.Find(AccountId)!.State);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_as_google_downloads_it_is_a_vertex_account_too()
    {
        using var sa = new FakeServiceAccount(Fake.Url("/token"));
        Dir.Write("sa.json", sa.KeyJson());
        var issued = 0;
        var rejections = new List<string>();
        Fake.OnJson("/token", request => GoogleTokenEndpoint(sa, request, ref issued, rejections));
        using var h = Open();

        var account = h.Store.Find("sa")!;
        Assert.Equal("vertex", account.Type);
        Assert.Equal(sa.ClientEmail, account.Identity);
        Assert.Equal("ya29.token-1", (await h.Service.GetAsync("sa", default)).AccessToken);
        Assert.Empty(rejections);
    }

    [Theory]
    [InlineData("private_key", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")]
    [InlineData("private_key", null)]
    [InlineData("client_email", null)]
    [InlineData("type", "authorized_user")]
    [InlineData("token_uri", "http://evil.example.com/token")]
    public void A_file_without_a_usable_key_is_skipped(string field, string? value)
    {
        using var sa = new FakeServiceAccount(Fake.Url("/token"));
        Dir.Write("sa.json", sa.KeyJson((field, value)));
        using var h = Open();

        Assert.Null(h.Store.Find("sa"));
    }

    internal static string AccountFileOf(FakeServiceAccount sa) => new JsonObject
    {
        ["type"] = "vertex",
        ["email"] = sa.ClientEmail,
        ["project_id"] = sa.ProjectId,
        ["service_account"] = JsonNode.Parse(sa.KeyJson()),
    }.ToJsonString();

    /// <summary>What oauth2.googleapis.com/token does with a JWT-bearer grant: 400 invalid_grant for an assertion it does not accept.</summary>
    internal (int Status, string Json) GoogleTokenEndpoint(FakeServiceAccount sa, Recorded request, ref int issued, List<string> rejections)
    {
        var form = request.Form();
        if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return (400, """{"error":"unsupported_grant_type","error_description":"Invalid grant_type"}""");
        }

        if (sa.Reject(form.GetValueOrDefault("assertion"), Time.GetUtcNow()) is { } reason)
        {
            lock (rejections)
            {
                rejections.Add(reason);
            }

            return (400, $$"""{"error":"invalid_grant","error_description":"{{reason}}"}""");
        }

        var n = Interlocked.Increment(ref issued);
        return (200, $$"""{"access_token":"ya29.token-{{n}}","expires_in":3599,"token_type":"Bearer"}""");
    }
}
