using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Tests.Gateway;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// The management API against a caller who holds the secret and wants more (the secrets themselves, or the tokens sent
/// elsewhere), and against one who does not (guessing, oversized or hostile bodies). Real gateway throughout.
/// </summary>
public sealed class ManagementHardeningTests
{
    internal const string Secret = "hardening-secret";

    private const string Secrets = """
        api-keys: [client-key-aaaa]        # client keys
        management:
          secret-key: "hardening-secret"
        providers:
          - name: up
            type: openai
            base-url: http://127.0.0.1:9/v1
            api-keys: [sk-upstream-1111, sk-upstream-2222]
            headers: { Authorization: "Bearer hdr-token-3333", X-Org: acme-org }
            proxy-url: "http://puser:ppass-4444@127.0.0.1:3128"
            models: [m]
          - name: claude
            type: claude
            oauth: { client-secret: oauth-secret-5555 }
        """;

    private static readonly string[] Plain = ["client-key-aaaa", "sk-upstream-1111", "sk-upstream-2222", "hdr-token-3333", "puser:ppass-4444", "oauth-secret-5555", "pbkdf2$"];

    internal static HttpRequestMessage Call(HttpMethod method, string path, string? body = null, string? key = Secret, string mediaType = "application/yaml")
    {
        var request = new HttpRequestMessage(method, "/v0/management" + path);
        if (key is not null)
        {
            request.Headers.Add("X-Management-Key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        }

        return request;
    }

    /// <summary>The JSON answer with its strings unescaped (the serializer writes '&lt;' as \u003C).</summary>
    internal static async Task<string> TextAsync(HttpResponseMessage response)
        => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.ToJsonString(Relaxed);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static async Task<string> YamlAsync(GatewayFixture gateway)
    {
        using var response = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/config"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["yaml"]!.GetValue<string>();
    }

    /// <summary>
    /// GET /config shows none of <paramref name="plain"/>, a PUT of that text (one model added) is applied, its answer
    /// shows none either, and the file still holds every one. Returns the text GET showed.
    /// </summary>
    internal static async Task<string> PutOfTheRedactedTextKeepsSecretsAsync(GatewayFixture gateway, IReadOnlyList<string> plain)
    {
        var yaml = await YamlAsync(gateway);
        foreach (var secret in plain)
        {
            Assert.DoesNotContain(secret, yaml, StringComparison.Ordinal);
        }

        using var put = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml.Replace("models: [m]", "models: [m, m2]", StringComparison.Ordinal)));
        var answer = await TextAsync(put);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var file = await File.ReadAllTextAsync(gateway.ConfigPath);
        foreach (var secret in plain)
        {
            Assert.DoesNotContain(secret, answer, StringComparison.Ordinal);
            Assert.Contains(secret, file, StringComparison.Ordinal);
        }

        Assert.Contains("m2", file, StringComparison.Ordinal);
        return yaml;
    }

    [Fact]
    public async Task Get_config_shows_markers_for_every_secret_and_a_put_of_them_keeps_the_secrets()
    {
        await using var gateway = await GatewayFixture.StartAsync(Secrets);
        var yaml = await PutOfTheRedactedTextKeepsSecretsAsync(gateway, Plain);
        // Every header value is a marker now (a credential hides under any name); the header names stay readable.
        Assert.Contains($"X-Org: \"{ConfigRedaction.Marker("acme-org")}\"", yaml, StringComparison.Ordinal);
        Assert.Contains("# client keys", yaml, StringComparison.Ordinal);
        Assert.Contains($"http://{ConfigRedaction.Marker("puser:ppass-4444")}@127.0.0.1:3128", yaml, StringComparison.Ordinal);
        Assert.Contains(ConfigRedaction.Marker("sk-upstream-2222"), yaml, StringComparison.Ordinal);
        Assert.Equal(["client-key-aaaa"], gateway.Store.Current.Options.ApiKeys);
    }

    [Fact]
    public async Task A_marker_that_names_no_secret_or_sits_where_no_secret_goes_is_400_and_nothing_is_written()
    {
        await using var gateway = await GatewayFixture.StartAsync(Secrets);
        var yaml = await YamlAsync(gateway);
        var before = await File.ReadAllTextAsync(gateway.ConfigPath);

        using var unknown = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml.Replace("api-keys: [", "api-keys: [\"<redacted:key-00000000>\", ", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("line 1: api-keys[0]: redaction marker <redacted:key-00000000> matches no secret", await TextAsync(unknown), StringComparison.Ordinal);

        // Copied into a model alias, the restored key would be listed by /v1/models for any client to read.
        var moved = yaml.Replace("models: [m]", $"models: [{{ name: m, alias: \"{ConfigRedaction.Marker("sk-upstream-1111")}\" }}]", StringComparison.Ordinal);
        using var misplaced = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", moved));
        var text = await TextAsync(misplaced);
        Assert.Equal(HttpStatusCode.BadRequest, misplaced.StatusCode);
        Assert.Contains("providers[0].models[0].alias: a redaction marker can only stand where a secret goes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-upstream-1111", text, StringComparison.Ordinal);

        using var validate = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/config/validate", moved));
        Assert.Equal(HttpStatusCode.BadRequest, validate.StatusCode);
        Assert.Equal(before, await File.ReadAllTextAsync(gateway.ConfigPath));
    }

    [Fact]
    public async Task Validation_errors_never_quote_a_secret_back()
    {
        await using var gateway = await GatewayFixture.StartAsync(Secrets);
        var yaml = await YamlAsync(gateway);
        // The proxy error quotes the URL; its restored user:password must come back as the marker.
        var broken = yaml.Replace("proxy-url: \"http://", "proxy-url: \"ftp://", StringComparison.Ordinal);
        using var response = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", broken));
        var text = await TextAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("providers[0].proxy-url", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ppass-4444", text, StringComparison.Ordinal);
    }

    internal const string Endpoints = """
        management:
          secret-key: "hardening-secret"
        providers:
          - name: up
            type: openai
            base-url: http://127.0.0.1:9/v1
            api-keys: [sk-upstream-1111]
          - name: claude
            type: claude
        """;

    [Theory]
    [InlineData("base-url: http://127.0.0.1:9/v1", "base-url: http://127.0.0.1:10/v1", "providers[up].base-url")]
    [InlineData("    type: claude", "    type: claude\n    oauth: { token-url: \"https://attacker.example/t\" }", "providers[claude].oauth.token-url")]
    [InlineData("    type: claude", "    type: claude\n    proxy-url: \"http://127.0.0.1:3128\"", "providers[claude].proxy-url")]
    [InlineData("  secret-key:", "  allow-endpoint-changes: true\n  secret-key:", "management.allow-endpoint-changes")]
    [InlineData("name: up", "name: up2", "providers[up2].base-url")] // a rename adds a provider with a custom base-url
    // Who can reach the gateway is guarded too: a management secret alone must not open it to the network.
    [InlineData("management:", "host: localhost\nmanagement:", "host")]
    [InlineData("management:", "allow-unauthenticated-remote: true\nmanagement:", "allow-unauthenticated-remote")]
    [InlineData("  secret-key:", "  allow-remote: true\n  secret-key:", "management.allow-remote")]
    [InlineData("management:", "security:\n  allowed-origins: [\"https://app.example\"]\nmanagement:", "security.allowed-origins")]
    [InlineData("management:", "security:\n  allowed-hosts: [gateway.lan]\nmanagement:", "security.allowed-hosts")]
    public async Task A_put_that_changes_where_credentials_go_is_403_naming_the_key_unless_the_file_allows_it(string from, string to, string key)
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var yaml = await YamlAsync(gateway);
        var changed = yaml.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(yaml, changed);
        var before = await File.ReadAllTextAsync(gateway.ConfigPath);

        using var refused = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", changed));
        var text = await TextAsync(refused);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains($"refused: {key}", text, StringComparison.Ordinal);
        Assert.Contains("allow-endpoint-changes", text, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(gateway.ConfigPath));

        // Only the file itself can allow it; then the same change goes through.
        Assert.Null(await gateway.RewriteConfigAsync(before.Replace("secret-key:", "allow-endpoint-changes: true\n  secret-key:", StringComparison.Ordinal)));
        var allowed = changed.Contains("allow-endpoint-changes", StringComparison.Ordinal) ? changed : changed.Replace("secret-key:", "allow-endpoint-changes: true\n  secret-key:", StringComparison.Ordinal);
        using var accepted = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", allowed));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Removing_a_provider_needs_no_permission()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var yaml = await YamlAsync(gateway);
        var start = yaml.IndexOf("  - name: up", StringComparison.Ordinal);
        var end = yaml.IndexOf("  - name: claude", StringComparison.Ordinal);
        using var response = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml[..start] + yaml[end..]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(gateway.Store.Current.Providers, p => p.Name == "up");
    }

    [Fact]
    public async Task A_new_provider_on_its_default_endpoints_needs_no_permission()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var yaml = await YamlAsync(gateway) + "\n  - { name: codex, type: codex }\n";
        using var response = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(gateway.Store.Current.Providers, p => p.Name == "codex");
    }

    [Fact]
    public async Task The_sixth_wrong_secret_is_429_with_retry_after_and_even_the_right_one_waits()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        for (var i = 0; i < ManagementThrottle.MaxFailures; i++)
        {
            using var wrong = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/accounts", key: $"guess-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var sixth = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/accounts", key: "guess-6"));
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
        var retryAfter = sixth.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));

        // While locked out the answer tells a guesser nothing, and no hash is computed.
        var hash = gateway.Store.Current.Options.Management.SecretKey;
        var derivations = gateway.GetService<ManagementSecretVerifier>().DerivationsFor(hash);
        using var right = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/accounts"));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(derivations, gateway.GetService<ManagementSecretVerifier>().DerivationsFor(hash));

        // No secret at all is a plain 401: the 404/403/401 order before the throttle is kept.
        using var none = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/accounts", key: null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task A_right_secret_is_derived_once_then_checked_against_its_digest()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var hash = gateway.Store.Current.Options.Management.SecretKey;
        Assert.StartsWith($"pbkdf2${ManagementSecret.Iterations}$", hash, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/quota"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var wrong = await gateway.Client.SendAsync(Call(HttpMethod.Get, "/quota", key: "not-it"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(1, gateway.GetService<ManagementSecretVerifier>().DerivationsFor(hash));
    }

    [Fact]
    public async Task Oversized_bodies_are_413_and_a_login_body_is_not_read_before_the_secret_check()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        using var config = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/config/validate", "# " + new string('x', ManagementBody.MaxConfigBytes) + "\n"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, config.StatusCode);
        using var put = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", "# " + new string('x', ManagementBody.MaxConfigBytes) + "\n"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        using var upload = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/accounts", new string(' ', ManagementBody.MaxAccountFileBytes + 1), mediaType: "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, upload.StatusCode);
        using var login = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", $"{{\"provider\":\"claude\",\"name\":\"{new string('n', ManagementBody.MaxLoginBytes)}\"}}", mediaType: "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, login.StatusCode);

        // Bound as a parameter, this body used to be parsed (and refused as 400) before anyone checked the secret.
        using var stranger = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", "this is not json", key: null, mediaType: "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        using var garbled = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", "this is not json", mediaType: "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
    }

    [Fact]
    public async Task Deeply_nested_yaml_is_a_400_and_the_gateway_keeps_serving()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var deep = new string('[', 100_000);
        using var validate = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/config/validate", deep));
        Assert.Equal(HttpStatusCode.BadRequest, validate.StatusCode);
        Assert.Contains("nesting deeper than", await TextAsync(validate), StringComparison.Ordinal);
        using var put = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", "providers:\n" + string.Concat(Enumerable.Repeat("- ", 5_000)) + "x\n"));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_put_that_validates_but_whose_reload_fails_leaves_the_previous_file()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var before = await File.ReadAllTextAsync(gateway.ConfigPath);
        var revision = gateway.Store.Current.Revision;
        // Past the checks, only the reload can still refuse (I/O, a race with an edit): the old text goes back.
        var error = await gateway.Store.ReplaceAsync("bogus: 1\n", CancellationToken.None);
        Assert.Contains("unknown key 'bogus'", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(gateway.ConfigPath));
        Assert.Null(gateway.Store.LastError);
        Assert.True(gateway.Store.Current.Revision >= revision);
    }

    [Fact]
    public async Task Values_that_would_stop_the_next_start_are_400_through_put()
    {
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var yaml = await YamlAsync(gateway);
        using var malformed = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml + "\nrouting:\n  max-cooldown-wait: 1e400s\n"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("max-cooldown-wait", await TextAsync(malformed), StringComparison.Ordinal);
        using var host = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", "host: gateway.example\n" + yaml));
        Assert.Equal(HttpStatusCode.BadRequest, host.StatusCode);
        Assert.Contains("host: must be an IP address or localhost", await TextAsync(host), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("management: {secret-key: flow-secret-1}   # keep me\n")]
    [InlineData("management:\n  secret-key: \"quoted \\\"escaped\\\" secret\"   # keep me\n")]
    [InlineData("management:\n  secret-key: 'single '' quoted'   # keep me\n")]
    public async Task A_plaintext_secret_in_any_yaml_form_is_replaced_by_its_hash_and_not_hashed_again(string management)
    {
        await using var gateway = await GatewayFixture.StartAsync(management + "providers: []\n");
        var file = await File.ReadAllTextAsync(gateway.ConfigPath);
        Assert.Contains("pbkdf2$", file, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-1", file, StringComparison.Ordinal);
        Assert.DoesNotContain("escaped", file, StringComparison.Ordinal);
        Assert.DoesNotContain("single", file, StringComparison.Ordinal);
        Assert.Contains("# keep me", file, StringComparison.Ordinal);
        var hash = gateway.Store.Current.Options.Management.SecretKey;
        Assert.Contains(hash, file, StringComparison.Ordinal);

        Assert.Null(await gateway.RewriteConfigAsync(file + "# an unrelated edit\n"));
        Assert.Equal(hash, gateway.Store.Current.Options.Management.SecretKey);
    }

    [Fact]
    public async Task A_device_answer_with_a_hostile_interval_is_clamped_and_the_login_waits_for_the_user()
    {
        // An interval that overflows TimeSpan used to throw outside the login's error handling and leave the job
        // pending for ever; now the number is clamped (docs/accounts.md) and the job shows the code to enter.
        await using var device = await LlmMux.Testing.FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response,
                """{"user_code":"ABCD-1234","verification_uri":"https://github.example/login/device","device_code":"dc-secret-9999","interval":9223372036854775807}""");
        });
        await using var gateway = await GatewayFixture.StartAsync(Endpoints + $"\n  - {{ name: copilot, type: copilot, oauth: {{ device-code-url: \"{device.BaseUrl}/device\" }} }}\n");
        using var started = await gateway.Client.SendAsync(Call(HttpMethod.Post, "/logins", """{"provider":"copilot"}""", mediaType: "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        JsonNode? job = null;
        for (var i = 0; i < 100 && job?["instructions"]?.GetValue<string>().Contains("ABCD-1234", StringComparison.Ordinal) != true; i++)
        {
            await Task.Delay(100);
            using var poll = await gateway.Client.SendAsync(Call(HttpMethod.Get, $"/logins/{id}"));
            job = JsonNode.Parse(await poll.Content.ReadAsStringAsync());
        }

        Assert.Equal("pending", job!["state"]!.GetValue<string>());
        Assert.Contains("ABCD-1234", job["instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("dc-secret-9999", job.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Two keys whose account ids (8 hex digits of SHA-256) are equal: found by a birthday search in a moment.</summary>
    private static (string A, string B) CollidingKeys()
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; ; i++)
        {
            var key = $"sk-collide-{i}";
            if (!seen.TryAdd(GatewaySnapshot.AccountIdFor(key), key))
            {
                return (seen[GatewaySnapshot.AccountIdFor(key)], key);
            }
        }
    }

    [Fact]
    public async Task A_reload_that_throws_anything_is_recorded_and_the_old_config_stays()
    {
        // Two keys with one account id make the snapshot's account map throw ArgumentException, not a ConfigException.
        var (a, b) = CollidingKeys();
        await using var gateway = await GatewayFixture.StartAsync(Endpoints);
        var revision = gateway.Store.Current.Revision;
        var error = await gateway.RewriteConfigAsync(Endpoints.Replace("[sk-upstream-1111]", $"[{a}, {b}]", StringComparison.Ordinal));
        Assert.Contains("ArgumentException", error, StringComparison.Ordinal);
        Assert.Equal(error, gateway.Store.LastError);
        Assert.Equal(revision, gateway.Store.Current.Revision);

        // The same text through PUT is refused before anything is written.
        var before = await File.ReadAllTextAsync(gateway.ConfigPath);
        using var put = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", before));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(before, await File.ReadAllTextAsync(gateway.ConfigPath));
    }

    [Fact]
    public void A_marker_that_stands_for_two_secrets_restores_neither()
    {
        var (a, b) = CollidingKeys();
        var yaml = $"api-keys: [{a}]\nproviders:\n  - name: o\n    type: openai\n    api-keys: [{b}]\n";
        var redacted = ConfigRedaction.Redact(yaml);
        var ex = Assert.Throws<ConfigException>(() => ConfigRedaction.Restore(redacted, ConfigRedaction.Secrets(yaml), "t"));
        Assert.Contains("stands for more than one secret", ex.Message, StringComparison.Ordinal);
    }
}
