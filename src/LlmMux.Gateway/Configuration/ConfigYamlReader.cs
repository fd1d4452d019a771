using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmMux.Gateway.Configuration;

/// <summary>
/// Maps the YAML node tree of <c>llm-mux.yaml</c> onto <see cref="LlmMuxOptions"/> by hand.
/// </summary>
/// <remarks>
/// Written out rather than left to YamlDotNet's deserializers: the reflection one cannot run under Native AOT (the
/// published binary), and its static generator needs settable properties and reports type errors in CLR terms, some
/// at the wrong position (measured in docs/configuration.md). By hand every error carries the exact line and column of
/// the key or value at fault. A key missing or left empty keeps its default.
/// </remarks>
internal static partial class ConfigYamlReader
{
    /// <exception cref="YamlException">Syntax errors, unknown keys, wrong types; each with the node's position.</exception>
    public static LlmMuxOptions Read(YamlNode? root)
    {
        var options = new LlmMuxOptions();
        if (root is null || IsNull(root))
        {
            return options;
        }

        foreach (var (key, value) in Entries(root))
        {
            options = key.Value switch
            {
                "host" => options with { Host = String(value) },
                "port" => options with { Port = Int(value) },
                "auth-dir" => options with { AuthDir = String(value) },
                "debug" => options with { Debug = Bool(value) },
                "api-keys" => options with { ApiKeys = Strings(value) },
                "allow-unauthenticated-remote" => options with { AllowUnauthenticatedRemote = Bool(value) },
                "limits" => options with { Limits = Limits(value) },
                "management" => options with { Management = Management(value) },
                "providers" => options with { Providers = List(value, Provider) },
                "routing" => options with { Routing = Routing(value) },
                "telemetry" => options with { Telemetry = Telemetry(value) },
                "security" => options with { Security = Security(value) },
                "payload" => options with { Payload = Payload(value) },
                "error-rules" => options with { ErrorRules = List(value, ErrorRule) },
                "claude-code" => options with { ClaudeCode = ClaudeCode(value) },
                "cluster" => options with { Cluster = Cluster(value) },
                _ => throw UnknownKey(key),
            };
        }

        return options;
    }

    private static LimitsOptions Limits(YamlNode node)
    {
        var limits = new LimitsOptions();
        foreach (var (key, value) in Entries(node))
        {
            limits = key.Value switch
            {
                "max-request-body-mb" => limits with { MaxRequestBodyMb = Int(value) },
                "requests-per-minute" => limits with { RequestsPerMinute = Int(value) },
                _ => throw UnknownKey(key),
            };
        }

        return limits;
    }

    private static ClusterOptions Cluster(YamlNode node)
    {
        var cluster = new ClusterOptions();
        foreach (var (key, value) in Entries(node))
        {
            cluster = key.Value switch
            {
                "redis" => cluster with { Redis = String(value) },
                "namespace" => cluster with { Namespace = String(value) },
                "password" => cluster with { Password = String(value) },
                "tls" => cluster with { Tls = Bool(value) },
                "tls-ca" => cluster with { TlsCa = String(value) },
                "encryption-key" => cluster with { EncryptionKey = String(value) },
                "instance-name" => cluster with { InstanceName = String(value) },
                _ => throw UnknownKey(key),
            };
        }

        return cluster;
    }

    private static SecurityOptions Security(YamlNode node)
    {
        var security = new SecurityOptions();
        foreach (var (key, value) in Entries(node))
        {
            security = key.Value switch
            {
                "allowed-hosts" => security with { AllowedHosts = Strings(value) },
                "allowed-origins" => security with { AllowedOrigins = Strings(value) },
                _ => throw UnknownKey(key),
            };
        }

        return security;
    }

    private static ManagementOptions Management(YamlNode node)
    {
        var management = new ManagementOptions();
        foreach (var (key, value) in Entries(node))
        {
            management = key.Value switch
            {
                "secret-key" => management with { SecretKey = String(value) },
                "allow-remote" => management with { AllowRemote = Bool(value) },
                "allow-endpoint-changes" => management with { AllowEndpointChanges = Bool(value) },
                _ => throw UnknownKey(key),
            };
        }

        return management;
    }

    private static ProviderOptions Provider(YamlNode node)
    {
        var provider = new ProviderOptions();
        foreach (var (key, value) in Entries(node))
        {
            provider = key.Value switch
            {
                "name" => provider with { Name = String(value) },
                "type" => provider with { Type = String(value) },
                "base-url" => provider with { BaseUrl = String(value) },
                "oauth" => provider with { Oauth = OAuth(value) },
                "api-keys" => provider with { ApiKeys = Strings(value) },
                "models" => provider with { Models = List(value, Model) },
                "headers" => provider with { Headers = Map(value) },
                "proxy-url" => provider with { ProxyUrl = String(value) },
                "strategy" => provider with { Strategy = String(value) },
                "forward-rate-limit-headers" => provider with { ForwardRateLimitHeaders = Bool(value) },
                "excluded-models" => provider with { ExcludedModels = Strings(value) },
                "accounts" => provider with { Accounts = Accounts(value) },
                "credentials" => provider with { Credentials = String(value) },
                "region" => provider with { Region = String(value) },
                "project" => provider with { Project = String(value) },
                _ => throw UnknownKey(key),
            };
        }

        return provider;
    }

    private static OAuthOptions OAuth(YamlNode node)
    {
        var oauth = new OAuthOptions();
        foreach (var (key, value) in Entries(node))
        {
            oauth = key.Value switch
            {
                "authorize-url" => oauth with { AuthorizeUrl = String(value) },
                "token-url" => oauth with { TokenUrl = String(value) },
                "device-code-url" => oauth with { DeviceCodeUrl = String(value) },
                "copilot-token-url" => oauth with { CopilotTokenUrl = String(value) },
                "client-id" => oauth with { ClientId = String(value) },
                "callback-port" => oauth with { CallbackPort = Int(value) },
                "client-secret" => oauth with { ClientSecret = String(value) },
                "scopes" => oauth with { Scopes = String(value) },
                "user-info-url" => oauth with { UserInfoUrl = String(value) },
                "code-assist-base-url" => oauth with { CodeAssistBaseUrl = String(value) },
                "github-user-url" => oauth with { GithubUserUrl = String(value) },
                _ => throw UnknownKey(key),
            };
        }

        return oauth;
    }

    /// <summary>A <c>models</c> item is either <c>"name"</c> or <c>{ name: upstream, alias: client-name }</c>.</summary>
    private static ModelEntry Model(YamlNode node)
    {
        if (node is YamlScalarNode scalar)
        {
            return new ModelEntry(scalar.Value ?? "");
        }

        string? name = null, alias = null;
        foreach (var (key, value) in Entries(node))
        {
            switch (key.Value)
            {
                case "name": name = String(value); break;
                case "alias": alias = String(value); break;
                default: throw new YamlException(key.Start, key.End, $"unknown key '{key.Value}' in a model entry (expected name, alias)");
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new YamlException(node.Start, node.End, "a model entry needs 'name'");
        }

        return new ModelEntry(name, string.IsNullOrWhiteSpace(alias) ? null : alias);
    }

    private static RoutingOptions Routing(YamlNode node)
    {
        var routing = new RoutingOptions();
        foreach (var (key, value) in Entries(node))
        {
            routing = key.Value switch
            {
                "default-provider" => routing with { DefaultProvider = String(value) },
                "aliases" => routing with { Aliases = Map(value) },
                "rules" => routing with { Rules = List(value, Rule) },
                "pools" => routing with { Pools = Pools(value) },
                "max-attempts" => routing with { MaxAttempts = Int(value) },
                "max-cooldown-wait" => routing with { MaxCooldownWait = Duration(key, value) },
                "quota-reserve" => routing with { QuotaReserve = Fraction(key, value) },
                "upstream-idle-timeout" => routing with { UpstreamIdleTimeout = Duration(key, value) },
                "session-sources" => routing with { SessionSources = Strings(value) },
                _ => throw UnknownKey(key),
            };
        }

        return routing;
    }

    private static ClaudeCodeOptions ClaudeCode(YamlNode node)
    {
        var claudeCode = new ClaudeCodeOptions();
        foreach (var (key, value) in Entries(node))
        {
            claudeCode = key.Value switch
            {
                "model-aliases" => claudeCode with { ModelAliases = Map(value) },
                "alias-prefix" => claudeCode with { AliasPrefix = String(value) },
                _ => throw UnknownKey(key),
            };
        }

        return claudeCode;
    }

    private static RoutingRule Rule(YamlNode node)
    {
        var rule = new RoutingRule();
        foreach (var (key, value) in Entries(node))
        {
            rule = key.Value switch
            {
                "match" => rule with { Match = String(value) },
                "providers" => rule with { Providers = Strings(value) },
                _ => throw UnknownKey(key),
            };
        }

        return rule;
    }

    private static TelemetryOptions Telemetry(YamlNode node)
    {
        var telemetry = new TelemetryOptions();
        foreach (var (key, value) in Entries(node))
        {
            telemetry = key.Value switch
            {
                "service-name" => telemetry with { ServiceName = String(value) },
                "otlp-endpoint" => telemetry with { OtlpEndpoint = String(value) },
                "prometheus" => telemetry with { Prometheus = Bool(value) },
                _ => throw UnknownKey(key),
            };
        }

        return telemetry;
    }

    private static IEnumerable<(YamlScalarNode Key, YamlNode Value)> Entries(YamlNode node)
    {
        if (IsNull(node))
        {
            yield break;
        }

        if (node is not YamlMappingNode map)
        {
            throw new YamlException(node.Start, node.End, "wrong type: expected a mapping of keys to values");
        }

        foreach (var (key, value) in map.Children)
        {
            if (IsNull(value))
            {
                continue;
            }

            if (key is not YamlScalarNode scalarKey)
            {
                throw new YamlException(key.Start, key.End, "wrong type: a key must be a plain name");
            }

            yield return (scalarKey, value);
        }
    }

    private static List<T> List<T>(YamlNode node, Func<YamlNode, T> item)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new YamlException(node.Start, node.End, "wrong type: expected a list");
        }

        return sequence.Children.Select(item).ToList();
    }

    private static List<string> Strings(YamlNode node) => List(node, String);

    private static Dictionary<string, string> Map(YamlNode node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(node))
        {
            map[key.Value ?? ""] = String(value);
        }

        return map;
    }

    private static string String(YamlNode node) => node is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw new YamlException(node.Start, node.End, "wrong type: expected a single value, not a list or mapping");

    private static int Int(YamlNode node)
    {
        var text = String(node);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new YamlException(node.Start, node.End, $"wrong type: expected a whole number, got '{text}'");
    }

    /// <summary>A share written as <c>0.95</c> or <c>95%</c>.</summary>
    private static double Fraction(YamlScalarNode key, YamlNode node)
    {
        var text = String(node).Trim();
        var percent = text.EndsWith('%');
        return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? percent ? value / 100 : value
            : throw new YamlException(node.Start, node.End, $"expected a share such as 0.95 or 95% for '{key.Value}', got '{text}'");
    }

    private static bool Bool(YamlNode node)
    {
        var text = String(node);
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw new YamlException(node.Start, node.End, $"wrong type: expected true or false, got '{text}'"),
        };
    }

    private static TimeSpan Duration(YamlScalarNode key, YamlNode node)
    {
        var text = String(node);
        return Durations.TryParse(text, out var value)
            ? value
            : throw new YamlException(node.Start, node.End, $"expected a duration such as 30s, 5m or 1h (not negative, under 31 years) for '{key.Value}', got '{text}'");
    }

    /// <summary><c>key:</c> with nothing after it, or <c>~</c>/<c>null</c> written plainly.</summary>
    private static bool IsNull(YamlNode node) => node is YamlScalarNode
    {
        Style: ScalarStyle.Plain or ScalarStyle.Any,
        Value: null or "" or "~" or "null" or "Null" or "NULL",
    };

    private static YamlException UnknownKey(YamlScalarNode key) => new(key.Start, key.End, $"unknown key '{key.Value}'");
}

/// <summary>Durations as people write them: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>250ms</c>, or a bare number of seconds.</summary>
internal static class Durations
{
    /// <summary>About 31 years: far above any sensible setting, far below where <see cref="TimeSpan"/> overflows.</summary>
    public const double MaxSeconds = 1e9;

    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n * scale <= MaxSeconds)
        {
            value = TimeSpan.FromSeconds(n * scale);
            return true;
        }

        value = default;
        return false;
    }
}
