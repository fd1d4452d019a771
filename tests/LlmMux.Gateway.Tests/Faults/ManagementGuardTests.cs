using System.Net;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Tests.EndToEnd;
using static LlmMux.Gateway.Tests.Faults.ManagementHardeningTests;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// Second review of the management config API: what GET /config still showed (header values under any name, a URL's
/// credentials), what it hid that is not secret (header names), and what a PUT could still change without
/// <c>management.allow-endpoint-changes</c> (a promoted oauth block, exposure settings, a race with another write).
/// </summary>
public sealed class ManagementGuardTests
{
    private const string Urls = """
        management:
          secret-key: "hardening-secret"
        providers:
          - name: up
            type: openai
            base-url: "https://buser:bpass-1111@api.example/v1?key=qkey-2222&alt=json#access_token=frag-3333"
            headers: { X-Custom: "Bearer sk-custom-4444", X-Api-Key: plain-5555, X-Org: acme-org }
            models: [m]
          - name: claude
            type: claude
            oauth: { token-url: "https://login.example/token?api_key=oauth-6666&region=eu" }
        telemetry:
          otlp-endpoint: "https://collector.example:4318/v1?sig=sig-7777"
        """;

    private static readonly string[] UrlSecrets = ["buser:bpass-1111", "qkey-2222", "frag-3333", "sk-custom-4444", "plain-5555", "acme-org", "oauth-6666", "sig-7777"];

    [Fact]
    public void Header_names_are_never_secrets_and_every_header_value_is()
    {
        var redacted = ConfigRedaction.Redact(Urls);
        // The names were classified as "<key>", which the credential-header test matched: each became a marker.
        Assert.Contains("X-Custom: \"<redacted:", redacted, StringComparison.Ordinal);
        Assert.Contains("X-Api-Key: \"<redacted:", redacted, StringComparison.Ordinal);
        Assert.Contains("X-Org: \"<redacted:", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-custom-4444", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-org", redacted, StringComparison.Ordinal);

        var secrets = ConfigRedaction.Secrets(Urls);
        Assert.DoesNotContain("X-Api-Key", secrets);
        Assert.DoesNotContain("X-Custom", secrets);
        // Error messages keep naming the header.
        Assert.Equal("providers[0].headers.X-Api-Key: bad", ConfigRedaction.Scrub("providers[0].headers.X-Api-Key: bad", secrets));
    }

    [Fact]
    public void Url_userinfo_and_credential_query_values_are_markers_that_restore()
    {
        var redacted = ConfigRedaction.Redact(Urls);
        foreach (var secret in UrlSecrets)
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }

        Assert.Contains($"https://{ConfigRedaction.Marker("buser:bpass-1111")}@api.example/v1?key={ConfigRedaction.Marker("qkey-2222")}&alt=json#access_token={ConfigRedaction.Marker("frag-3333")}", redacted, StringComparison.Ordinal);
        Assert.Contains($"token?api_key={ConfigRedaction.Marker("oauth-6666")}&region=eu", redacted, StringComparison.Ordinal);
        Assert.Contains($"/v1?sig={ConfigRedaction.Marker("sig-7777")}", redacted, StringComparison.Ordinal);

        var restored = ConfigLoader.Parse(ConfigRedaction.Restore(redacted, ConfigRedaction.Secrets(Urls), "t"), "t");
        var original = ConfigLoader.Parse(Urls, "t");
        Assert.Equal(original.Providers[0].BaseUrl, restored.Providers[0].BaseUrl);
        Assert.Equal(original.Providers[0].Headers, restored.Providers[0].Headers);
        Assert.Equal(original.Providers[1].Oauth!.TokenUrl, restored.Providers[1].Oauth!.TokenUrl);
        Assert.Equal(original.Telemetry.OtlpEndpoint, restored.Telemetry.OtlpEndpoint);

        // A marker moved into a part of a URL that is not secret (its path) would be shown in errors and logs.
        var moved = redacted.Replace("api.example/v1?", $"api.example/{ConfigRedaction.Marker("qkey-2222")}?", StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => ConfigRedaction.Restore(moved, ConfigRedaction.Secrets(Urls), "t"));
        Assert.Contains("can only stand for the user:password part or a credential query value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_then_put_of_the_redacted_urls_and_headers_keeps_every_secret()
    {
        await using var gateway = await GatewayFixture.StartAsync(Urls);
        await PutOfTheRedactedTextKeepsSecretsAsync(gateway, UrlSecrets);
        Assert.Equal("Bearer sk-custom-4444", gateway.Store.Current.Options.Providers[0].Headers["X-Custom"]);
    }

    private const string TwoClaudes = """
        management:
          secret-key: "hardening-secret"
        providers:
          - name: claude-a
            type: claude
            oauth: { token-url: "https://a.example/token" }
          - name: claude-b
            type: claude
            oauth: { token-url: "https://b.example/token" }
          - name: claude-c
            type: claude
        """;

    private static string Without(string yaml, string provider)
    {
        var start = yaml.IndexOf($"  - name: {provider}\n", StringComparison.Ordinal);
        var end = yaml.IndexOf("  - name: ", start + 1, StringComparison.Ordinal);
        return yaml[..start] + (end < 0 ? "" : yaml[end..]);
    }

    [Fact]
    public async Task Removing_or_reordering_providers_cannot_promote_another_oauth_block()
    {
        await using var gateway = await GatewayFixture.StartAsync(TwoClaudes);
        var yaml = await YamlAsync(gateway);
        var before = await File.ReadAllTextAsync(gateway.ConfigPath);

        // Without claude-a, claude-b's token URL would become the one every claude login and refresh uses.
        using var removed = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", Without(yaml, "claude-a")));
        Assert.Equal(HttpStatusCode.Forbidden, removed.StatusCode);
        Assert.Contains("oauth settings of type claude", await TextAsync(removed), StringComparison.Ordinal);

        var b = yaml.IndexOf("  - name: claude-b\n", StringComparison.Ordinal);
        var c = yaml.IndexOf("  - name: claude-c\n", StringComparison.Ordinal);
        var a = yaml.IndexOf("  - name: claude-a\n", StringComparison.Ordinal);
        var reordered = yaml[..a] + yaml[b..c] + yaml[a..b] + yaml[c..];
        using var swapped = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", reordered));
        Assert.Equal(HttpStatusCode.Forbidden, swapped.StatusCode);
        Assert.Contains("oauth settings of type claude", await TextAsync(swapped), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(gateway.ConfigPath));

        // A block that is not the effective one, or a provider without one, goes without permission.
        using var notEffective = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", Without(Without(yaml, "claude-b"), "claude-c")));
        Assert.Equal(HttpStatusCode.OK, notEffective.StatusCode);
        Assert.Equal(["claude-a"], gateway.Store.Current.Options.Providers.Select(p => p.Name));
    }

    [Fact]
    public async Task Client_keys_may_be_added_or_replaced_but_not_all_removed()
    {
        await using var gateway = await GatewayFixture.StartAsync("api-keys: [client-key-1]\n" + ManagementHardeningTests.Endpoints);
        var yaml = await YamlAsync(gateway);
        var keys = $"api-keys: [\"{ConfigRedaction.Marker("client-key-1")}\"]";
        Assert.Contains(keys, yaml, StringComparison.Ordinal);

        // No keys means no client authentication: as guarded as opening the host.
        using var emptied = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml.Replace(keys, "api-keys: []", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, emptied.StatusCode);
        Assert.Contains("refused: api-keys", await TextAsync(emptied), StringComparison.Ordinal);
        Assert.Equal(["client-key-1"], gateway.Store.Current.Options.ApiKeys);

        using var added = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml.Replace(keys, keys[..^1] + ", client-key-2]", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(["client-key-1", "client-key-2"], gateway.Store.Current.Options.ApiKeys);

        using var replaced = await gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", yaml.Replace(keys, "api-keys: [client-key-3]", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(["client-key-3"], gateway.Store.Current.Options.ApiKeys);
    }

    [Fact]
    public async Task A_put_waiting_for_another_replacement_is_judged_against_the_file_that_one_wrote()
    {
        // The file allows endpoint changes; an admin locks it down while a PUT that changes base-url is in flight.
        // Before, the PUT read the file (flag on) before the replace gate and then wrote its endpoint over the
        // lockdown. Now it reads the file only once it holds the gate, so it sees the flag off and is refused.
        // Deterministic in the passing direction: whenever the PUT runs, it cannot read before the lease is released.
        await using var gateway = await GatewayFixture.StartAsync(ManagementHardeningTests.Endpoints.Replace("secret-key:", "allow-endpoint-changes: true\n  secret-key:", StringComparison.Ordinal));
        var yaml = await YamlAsync(gateway);
        var redirect = yaml.Replace("127.0.0.1:9", "127.0.0.1:10", StringComparison.Ordinal);

        Task<HttpResponseMessage> put;
        using (var lease = await gateway.Store.BeginReplaceAsync(CancellationToken.None))
        {
            put = gateway.Client.SendAsync(Call(HttpMethod.Put, "/config", redirect));
            await Task.Delay(300); // lets the old code read the file with the flag on before it waited
            var locked = lease.FileText.Replace("allow-endpoint-changes: true", "allow-endpoint-changes: false", StringComparison.Ordinal);
            Assert.Null((await gateway.Store.ReplaceAsync(lease, locked)).Error);
            Assert.False(put.IsCompleted);
        }

        using var response = await put;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("providers[up].base-url", await TextAsync(response), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9/v1", await File.ReadAllTextAsync(gateway.ConfigPath), StringComparison.Ordinal);
        Assert.False(gateway.Store.Current.Options.Management.AllowEndpointChanges);
    }

    [Fact]
    public async Task A_lease_whose_file_was_edited_meanwhile_writes_nothing()
    {
        await using var gateway = await GatewayFixture.StartAsync(ManagementHardeningTests.Endpoints);
        using var lease = await gateway.Store.BeginReplaceAsync(CancellationToken.None);
        var edited = lease.FileText + "# edited by hand\n";
        await File.WriteAllTextAsync(gateway.ConfigPath, edited);
        var result = await gateway.Store.ReplaceAsync(lease, lease.FileText + "# from the api\n");
        Assert.True(result.FileChanged);
        Assert.Equal(edited, await File.ReadAllTextAsync(gateway.ConfigPath));
    }
}
