using System.Text.RegularExpressions;
using LlmMux.Gateway.LoadBalancing;
using LlmMux.Gateway.Providers;

namespace LlmMux.Gateway.Configuration;

/// <summary>One rule a config breaks, at a key path such as <c>providers[0].base-url</c>.</summary>
public sealed record ConfigError(string Path, string Message);

/// <summary>The rules YAML types alone cannot express: references, URLs, ranges, uniqueness.</summary>
public static partial class ConfigValidator
{
    /// <summary>Beyond a day a wait or idle timeout is a typo; far beyond, YARP's timers overflow.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    public static IReadOnlyList<ConfigError> Validate(LlmMuxOptions options)
    {
        var errors = new List<ConfigError>();
        if (!IsHost(options.Host))
        {
            errors.Add(new("host", $"must be an IP address or localhost, got '{options.Host}'"));
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add(new("port", $"must be 0-65535, got {options.Port}"));
        }

        if (options.Limits.MaxRequestBodyMb is < 1 or > 1024)
        {
            errors.Add(new("limits.max-request-body-mb", $"must be 1-1024, got {options.Limits.MaxRequestBodyMb}"));
        }

        if (options.Limits.RequestsPerMinute < 0)
        {
            errors.Add(new("limits.requests-per-minute", $"must be 0 (no limit) or more, got {options.Limits.RequestsPerMinute}"));
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.ApiKeys[i]))
            {
                errors.Add(new($"api-keys[{i}]", "must not be empty"));
            }
        }

        if (Management.ManagementSecret.Problem(options.Management.SecretKey) is { } secretProblem)
        {
            errors.Add(new("management.secret-key", secretProblem));
        }

        if (options.Cluster.Enabled && Cluster.RedisUrl.Problem(options.Cluster.Redis) is { } redisProblem)
        {
            errors.Add(new("cluster.redis", redisProblem));
        }

        if (options.Cluster.TlsCa.Length > 0 && !File.Exists(LlmMux.Gateway.Logins.LoginSettings.ExpandHome(options.Cluster.TlsCa)))
        {
            errors.Add(new("cluster.tls-ca", $"no such file: {options.Cluster.TlsCa}"));
        }

        if (options.Cluster.Namespace.Length == 0 || options.Cluster.Namespace.Any(c => char.IsWhiteSpace(c) || c is '*' or '?' or '[' or ']'))
        {
            errors.Add(new("cluster.namespace", "must be a non-empty name without spaces or glob characters"));
        }

        if (options.Telemetry.OtlpEndpoint.Length > 0 && !(Uri.TryCreate(options.Telemetry.OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https" && otlp.Host.Length > 0))
        {
            errors.Add(new("telemetry.otlp-endpoint", "must be an absolute http(s) URL with a host"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            ValidateProvider(options.Providers[i], $"providers[{i}]", names, errors);
        }

        var routing = options.Routing;
        if (routing.DefaultProvider.Length > 0 && !names.Contains(routing.DefaultProvider))
        {
            errors.Add(new("routing.default-provider", $"names no configured provider: '{routing.DefaultProvider}'"));
        }

        if (routing.MaxAttempts < 1)
        {
            errors.Add(new("routing.max-attempts", $"must be at least 1, got {routing.MaxAttempts}"));
        }

        if (routing.UpstreamIdleTimeout <= TimeSpan.Zero || routing.UpstreamIdleTimeout > MaxWait)
        {
            errors.Add(new("routing.upstream-idle-timeout", "must be longer than zero and at most 1 day (24h)"));
        }

        if (routing.QuotaReserve is <= 0 or > 1)
        {
            errors.Add(new("routing.quota-reserve", $"must be more than 0 and at most 100% (1), got {routing.QuotaReserve.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        }

        if (routing.MaxCooldownWait > MaxWait)
        {
            errors.Add(new("routing.max-cooldown-wait", "must be at most 1 day (24h)"));
        }

        for (var i = 0; i < routing.Rules.Count; i++)
        {
            var rule = routing.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Match))
            {
                errors.Add(new($"routing.rules[{i}].match", "must not be empty"));
            }

            if (rule.Providers.Count == 0)
            {
                errors.Add(new($"routing.rules[{i}].providers", "must name at least one provider"));
            }

            foreach (var p in rule.Providers.Where(p => !names.Contains(p)))
            {
                errors.Add(new($"routing.rules[{i}].providers", $"names no configured provider: '{p}'"));
            }
        }

        foreach (var (alias, target) in routing.Aliases)
        {
            if (string.IsNullOrWhiteSpace(target))
            {
                errors.Add(new("routing.aliases", $"alias '{alias}' has no target"));
            }
        }

        ValidateRules(options, names, errors);
        ClaudeCodeValidation.Validate(options, errors);
        ValidateSecurity(options.Security, errors);
        if (options.Security.AllowedOrigins.Contains("*") && options.ApiKeys.Count == 0)
        {
            // Any page could then use every account of a keyless gateway: the very thing the origin check prevents.
            errors.Add(new("security.allowed-origins", "'*' needs api-keys: without them any web page could use this gateway's accounts"));
        }

        return errors;
    }

    private static void ValidateSecurity(SecurityOptions security, List<ConfigError> errors)
    {
        for (var i = 0; i < security.AllowedHosts.Count; i++)
        {
            var host = security.AllowedHosts[i];
            if (string.IsNullOrWhiteSpace(host) || host.Contains('/', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
            {
                errors.Add(new($"security.allowed-hosts[{i}]", $"must be a host name without scheme or port (e.g. gateway.lan or *.example.com), got '{host}'"));
            }
        }

        for (var i = 0; i < security.AllowedOrigins.Count; i++)
        {
            var origin = security.AllowedOrigins[i];
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                && uri.Host.Length > 0 && uri.AbsolutePath == "/" && !origin.EndsWith('/') && uri.Query.Length == 0))
            {
                errors.Add(new($"security.allowed-origins[{i}]", $"must be an origin such as https://app.example.com (scheme, host, optional port; no path), or '*', got '{origin}'"));
            }
        }
    }

    /// <summary><c>region</c> and <c>project</c>: Vertex AI only, and shaped like Google's names (they go into the request path).</summary>
    private static void ValidateLocation(ProviderOptions p, ProviderType? kind, string path, List<ConfigError> errors)
    {
        foreach (var (key, value, shape) in new[] { ("region", p.Region, "a location such as global or us-east5"), ("project", p.Project, "a Google Cloud project id") })
        {
            if (value is null)
            {
                continue;
            }

            if (kind is not null && kind is not Providers.Vertex.VertexProviderType)
            {
                errors.Add(new($"{path}.{key}", $"only type 'vertex' takes '{key}'; remove it from this '{p.Type}' provider"));
            }
            else if (!GoogleName().IsMatch(value))
            {
                errors.Add(new($"{path}.{key}", $"must be {shape} (lower-case letters, digits, '-'), got '{value}'"));
            }
        }
    }

    private static void ValidateProvider(ProviderOptions p, string path, HashSet<string> names, List<ConfigError> errors)
    {
        if (!ProviderName().IsMatch(p.Name))
        {
            errors.Add(new($"{path}.name", $"must be letters, digits, '.', '_' or '-', got '{p.Name}'"));
        }
        else if (!names.Add(p.Name))
        {
            errors.Add(new($"{path}.name", $"duplicate provider name '{p.Name}'"));
        }

        var kind = ProviderTypes.Find(p.Type);
        if (kind is null)
        {
            errors.Add(new($"{path}.type", $"unknown type '{p.Type}' (expected one of {string.Join(", ", ProviderTypes.All.Select(k => k.Type))})"));
        }

        // Subscription tokens go to fixed provider hosts: https (or this machine). Keys may go to a self-hosted server on
        // the LAN (vLLM, Ollama) that only speaks http: the operator's choice, written down in docs/security.md.
        if (p.BaseUrl is not null && !(kind is { KeyBased: true } ? IsHttpUrl(p.BaseUrl) : IsCredentialUrl(p.BaseUrl)))
        {
            errors.Add(new($"{path}.base-url", $"must be an absolute http(s) URL, got '{p.BaseUrl}'{HttpsHint(p.BaseUrl)}"));
        }

        if (p.Oauth is { } oauth)
        {
            ValidateOAuth(oauth, $"{path}.oauth", errors);
        }

        if (p.ProxyUrl.Length > 0 && !(Uri.TryCreate(p.ProxyUrl, UriKind.Absolute, out var proxy) && proxy.Scheme is "http" or "https" or "socks5"))
        {
            errors.Add(new($"{path}.proxy-url", $"must be an http, https or socks5 URL, got '{p.ProxyUrl}'"));
        }

        if (!AccountStrategies.Names.Contains(p.Strategy))
        {
            errors.Add(new($"{path}.strategy", $"unknown strategy '{p.Strategy}' (expected {string.Join(", ", AccountStrategies.Names)})"));
        }

        if (p.Credentials is not (PassThrough.Pooled or PassThrough.Mode))
        {
            errors.Add(new($"{path}.credentials", $"unknown credentials mode '{p.Credentials}' (expected {PassThrough.Pooled} or {PassThrough.Mode})"));
        }
        else if (p.Credentials == PassThrough.Mode && kind is { SupportsPassThrough: false })
        {
            errors.Add(new($"{path}.credentials", $"type '{p.Type}' cannot pass the client's credential through (only {string.Join(", ", ProviderTypes.All.Where(k => k.SupportsPassThrough).Select(k => k.Type))} can); remove 'credentials: {PassThrough.Mode}'"));
        }

        ValidateLocation(p, kind, path, errors);

        if (kind is { KeyBased: true, KeyOptional: false } && p.ApiKeys.Count == 0)
        {
            errors.Add(new($"{path}.api-keys", $"type '{p.Type}' needs at least one key"));
        }

        for (var i = 0; i < p.ApiKeys.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(p.ApiKeys[i]))
            {
                errors.Add(new($"{path}.api-keys[{i}]", "must not be empty"));
            }
        }

        var clientNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < p.Models.Count; i++)
        {
            if (!clientNames.Add(p.Models[i].ClientName))
            {
                errors.Add(new($"{path}.models[{i}]", $"model '{p.Models[i].ClientName}' is listed twice"));
            }
        }
    }

    private static void ValidateOAuth(OAuthOptions oauth, string path, List<ConfigError> errors)
    {
        foreach (var (key, url) in oauth.Urls.Where(u => u.Value is not null && !IsCredentialUrl(u.Value)))
        {
            errors.Add(new($"{path}.{key}", $"must be an absolute http(s) URL{HttpsHint(url!)}"));
        }

        if (oauth.CallbackPort is < 0 or > 65535)
        {
            errors.Add(new($"{path}.callback-port", $"must be 0-65535 (0: any free port), got {oauth.CallbackPort}"));
        }
    }

    /// <summary>
    /// Where tokens and keys are sent: plain http only to this machine, since on any other path the credential would
    /// cross the network readable (local fakes and Ollama on 127.0.0.1 keep working).
    /// </summary>
    private static bool IsCredentialUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Host.Length > 0
           && (uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback));

    private static bool IsHttpUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    private static string HttpsHint(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.Host.Length > 0 ? " (http:// is only for loopback hosts; use https)" : "";

    private static bool IsHost(string host)
        => host is "localhost" || System.Net.IPAddress.TryParse(host, out _); // what GatewayHost.Listen can bind

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ProviderName();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex GoogleName();
}
