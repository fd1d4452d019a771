using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;

namespace LlmMux.Gateway.Tests.Faults;

/// <summary>
/// Config text that used to crash the loader or pass validation and then stop the next start: each must now be a
/// <see cref="ConfigException"/> that names the key and line.
/// </summary>
public sealed class ConfigLimitsTests
{
    private static ConfigException Refused(string yaml) => Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "t.yaml"));

    [Theory]
    [InlineData(100_000, '[')]
    [InlineData(100_000, '{')]
    [InlineData(65, '[')]
    public void Nesting_past_the_limit_is_an_error_not_a_stack_overflow(int depth, char open)
    {
        var ex = Refused(new string(open, depth));
        Assert.Contains($"nesting deeper than {YamlText.MaxDepth} levels", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("t.yaml: line 1, column ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_nesting_counts_too_and_a_file_within_the_limit_loads()
    {
        var deep = "routing:\n  aliases:\n" + string.Concat(Enumerable.Range(0, 70).Select(i => new string(' ', 4 + (2 * i)) + $"k{i}:\n"));
        Assert.Contains("nesting deeper than", Refused(deep).Message, StringComparison.Ordinal);
        Assert.NotNull(ConfigLoader.Parse("routing:\n  aliases: { a: b }\n" + new string('#', 10) + "\n", "t.yaml"));
    }

    [Fact]
    public void Alias_fan_out_is_bounded()
    {
        // Each level refers to the one below ten times: 10^6 values from a few lines.
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + string.Concat(Enumerable.Range(1, 6).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n"));
        Assert.Contains("aliases are expanded", Refused(yaml).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Infinity")]
    [InlineData("1e400s")]
    [InlineData("-1s")]
    [InlineData("NaN")]
    [InlineData("1e300h")]
    public void Durations_that_are_not_a_sane_length_name_the_key_and_line(string value)
    {
        var ex = Refused($"routing:\n  max-cooldown-wait: {value}\n");
        Assert.StartsWith("t.yaml: line 2, column 22: expected a duration", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("routing:\n  max-cooldown-wait: 25h\n", "t.yaml: line 2: routing.max-cooldown-wait: must be at most 1 day")]
    [InlineData("routing:\n  upstream-idle-timeout: 1000h\n", "t.yaml: line 2: routing.upstream-idle-timeout: must be longer than zero and at most 1 day")]
    [InlineData("host: gateway.example\n", "t.yaml: line 1: host: must be an IP address or localhost")]
    [InlineData("telemetry:\n  otlp-endpoint: collector:4317\n", "t.yaml: line 2: telemetry.otlp-endpoint: must be an absolute http(s) URL")]
    [InlineData("providers:\n  - name: c\n    type: claude\n    oauth: { callback-port: 70000 }\n", "t.yaml: line 4: providers[0].oauth.callback-port: must be 0-65535")]
    [InlineData("providers:\n  - name: c\n    type: claude\n    oauth: { callback-port: -1 }\n", "t.yaml: line 4: providers[0].oauth.callback-port: must be 0-65535")]
    [InlineData("providers:\n  - name: c\n    type: claude\n    oauth: { token-url: \"http://attacker.example/t\" }\n", "t.yaml: line 4: providers[0].oauth.token-url: must be an absolute http(s) URL (http:// is only for loopback hosts")]
    [InlineData("providers:\n  - name: c\n    type: copilot\n    oauth: { copilot-token-url: \"/relative\" }\n", "t.yaml: line 4: providers[0].oauth.copilot-token-url: must be an absolute http(s) URL")]
    [InlineData("providers:\n  - name: c\n    type: claude\n    base-url: http://10.0.0.5:8080\n", "t.yaml: line 4: providers[0].base-url: must be an absolute http(s) URL, got 'http://10.0.0.5:8080' (http:// is only for loopback hosts")]
    [InlineData("management:\n  secret-key: \"pbkdf2$x$!!$!!\"\n", "t.yaml: line 2: management.secret-key: must be a plaintext secret or pbkdf2$")]
    [InlineData("management:\n  secret-key: \"pbkdf2$2000000000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n", "t.yaml: line 2: management.secret-key: must be a plaintext secret or pbkdf2$")]
    public void Values_that_would_fail_at_start_are_config_errors(string yaml, string expectedStart)
        => Assert.StartsWith(expectedStart, Refused(yaml).Errors[0], StringComparison.Ordinal);

    [Theory]
    [InlineData("http://127.0.0.1:9/v1")]
    [InlineData("http://localhost:11434/v1")]
    [InlineData("http://[::1]:8080")]
    [InlineData("https://api.example.com/v1")]
    [InlineData("http://10.0.0.5:11434/v1")] // a self-hosted server on the LAN: keys may go there, login tokens may not
    public void Loopback_http_and_any_https_are_accepted(string url)
        => Assert.Equal(url, ConfigLoader.Parse($"providers:\n  - name: o\n    type: openai\n    base-url: \"{url}\"\n", "t.yaml").Providers[0].BaseUrl);

    [Fact]
    public void Hashes_of_older_work_factors_still_verify_and_new_ones_use_the_current_one()
    {
        var hash = ManagementSecret.Hash("s");
        Assert.StartsWith("pbkdf2$600000$", hash, StringComparison.Ordinal);
        var old = OldHash("legacy", 100_000);
        Assert.Empty(ConfigValidator.Validate(new LlmMuxOptions { Management = new ManagementOptions { SecretKey = old } }));
        var verifier = new ManagementSecretVerifier();
        Assert.True(verifier.Verify(old, "legacy"));
        Assert.False(verifier.Verify(old, "other"));
        Assert.True(verifier.Verify(old, "legacy"));
        Assert.Equal(1, verifier.DerivationsFor(old));
    }

    private static string OldHash(string secret, int iterations)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(secret), salt, iterations, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        return $"pbkdf2${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    [Fact]
    public void Redaction_covers_telemetry_userinfo_and_keeps_anchors_working()
    {
        const string yaml = """
            telemetry:
              otlp-endpoint: "https://otel:hunter2@collector.example:4318"   # why not
            providers:
              - name: o
                type: openai
                api-keys: [&k sk-anchored]
                headers: { x-api-key: *k }
            """;
        var redacted = ConfigRedaction.Redact(yaml);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-anchored", redacted, StringComparison.Ordinal);
        Assert.Contains("# why not", redacted, StringComparison.Ordinal);
        Assert.Contains("&k \"<redacted:", redacted, StringComparison.Ordinal);
        var restored = ConfigRedaction.Restore(redacted, ConfigRedaction.Secrets(yaml), "t");
        var options = ConfigLoader.Parse(restored, "t");
        Assert.Equal("https://otel:hunter2@collector.example:4318", options.Telemetry.OtlpEndpoint);
        Assert.Equal("sk-anchored", options.Providers[0].Headers["x-api-key"]);
    }

    [Fact]
    public void A_broken_file_on_disk_is_not_shown_rather_than_shown_unredacted()
        => Assert.DoesNotContain("sk-1", ConfigRedaction.Redact("api-keys: [sk-1\n"), StringComparison.Ordinal);
}
