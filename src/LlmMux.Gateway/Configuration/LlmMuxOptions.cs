using LlmMux.Gateway.Rules;

namespace LlmMux.Gateway.Configuration;

/// <summary>The whole of <c>llm-mux.yaml</c> (spec §2). Keys are kebab-case in the file.</summary>
/// <remarks>Collections are plain lists and dictionaries; treat a loaded instance as read-only (a snapshot shares it with every request).</remarks>
public sealed record LlmMuxOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8317;
    public string AuthDir { get; init; } = "~/.config/llm-mux/auth";
    public bool Debug { get; init; }
    public List<string> ApiKeys { get; init; } = [];
    public bool AllowUnauthenticatedRemote { get; init; }
    public LimitsOptions Limits { get; init; } = new();
    public ManagementOptions Management { get; init; } = new();
    public List<ProviderOptions> Providers { get; init; } = [];
    public RoutingOptions Routing { get; init; } = new();
    public TelemetryOptions Telemetry { get; init; } = new();
    public SecurityOptions Security { get; init; } = new();

    /// <summary>Edits of the upstream body by model, inbound dialect and upstream type (docs/configuration.md, "Rules").</summary>
    public PayloadOptions Payload { get; init; } = new();

    /// <summary>Tried before the built-in classification of a failed answer (docs/failover.md).</summary>
    public List<ErrorRule> ErrorRules { get; init; } = [];
    public ClaudeCodeOptions ClaudeCode { get; init; } = new();

    /// <summary>Replicas sharing state through Redis; off unless <c>cluster.redis</c> is set.</summary>
    public ClusterOptions Cluster { get; init; } = new();
}

/// <summary>
/// What browsers may do (docs/security.md). Loopback names and the configured <c>host</c> are always accepted as
/// <c>Host</c>; a request with an <c>Origin</c> other than its own is refused unless listed here.
/// </summary>
public sealed record SecurityOptions
{
    /// <summary>More names the gateway may be reached by (a LAN name, a tunnel's host); <c>*.example.com</c> allowed.</summary>
    public List<string> AllowedHosts { get; init; } = [];

    /// <summary>Web origins allowed to call from a browser (CORS), e.g. <c>https://chat.example.com</c>; <c>*</c> for any.</summary>
    public List<string> AllowedOrigins { get; init; } = [];
}

public sealed record LimitsOptions
{
    public int MaxRequestBodyMb { get; init; } = 32;

    /// <summary>Per client key (or per client address when no keys are set); 0 = no limit. Not in the spec; issue 7.</summary>
    public int RequestsPerMinute { get; init; }
}

public sealed record ManagementOptions
{
    public string SecretKey { get; init; } = "";
    public bool AllowRemote { get; init; }

    /// <summary>
    /// Whether <c>PUT /config</c> may change where credentials go (base-url, oauth.*, proxy-url, otlp-endpoint). Only
    /// the file itself can turn it on: a management caller must not be able to send tokens to a host of its choosing.
    /// </summary>
    public bool AllowEndpointChanges { get; init; }
}

public sealed record ProviderOptions
{
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public string? BaseUrl { get; init; }
    public OAuthOptions? Oauth { get; init; }
    public List<string> ApiKeys { get; init; } = [];
    public List<ModelEntry> Models { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    public string ProxyUrl { get; init; } = "";
    public string Strategy { get; init; } = LoadBalancing.AccountStrategies.Default;

    /// <summary>Pass the upstream's <c>x-ratelimit-*</c>/<c>anthropic-ratelimit-*</c> headers to clients (off: they describe one account).</summary>
    public bool ForwardRateLimitHeaders { get; init; }

    /// <summary>Model globs no account of this provider is asked for.</summary>
    public List<string> ExcludedModels { get; init; } = [];

    /// <summary>Per-account settings, keyed by account id (<c>key-…</c> or the auth file's name), label or e-mail.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; init; } = [];

    /// <summary><c>pooled</c> (the auth dir's logins) or <c>pass-through</c> (each request's own credential, claude and codex).</summary>
    public string Credentials { get; init; } = Providers.PassThrough.Pooled;

    /// <summary>Vertex AI: the location requests go to (<c>global</c>, <c>us-east5</c>, …); default from the base-url host, else global.</summary>
    public string? Region { get; init; }

    /// <summary>Vertex AI: the Google Cloud project to bill; default the key's <c>project_id</c>.</summary>
    public string? Project { get; init; }
}

public sealed record OAuthOptions
{
    public string? AuthorizeUrl { get; init; }
    public string? TokenUrl { get; init; }
    public string? DeviceCodeUrl { get; init; }
    public string? CopilotTokenUrl { get; init; }
    public string? ClientId { get; init; }
    public int? CallbackPort { get; init; }

    // Beyond the spec's list, so every endpoint a login touches can point at a local fake.
    public string? ClientSecret { get; init; }
    public string? Scopes { get; init; }
    public string? UserInfoUrl { get; init; }
    public string? CodeAssistBaseUrl { get; init; }
    public string? GithubUserUrl { get; init; }

    /// <summary>
    /// Every key by its config name, as <see cref="LlmMux.Accounts.OAuth.OAuthSettings.With"/> takes them: a
    /// provider's login reads its own endpoints (user-info-url, copilot-token-url, …) by the same names.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> Entries =>
    [
        new("authorize-url", AuthorizeUrl), new("token-url", TokenUrl), new("device-code-url", DeviceCodeUrl),
        new("copilot-token-url", CopilotTokenUrl), new("client-id", ClientId),
        new("callback-port", CallbackPort?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("client-secret", ClientSecret), new("scopes", Scopes), new("user-info-url", UserInfoUrl),
        new("code-assist-base-url", CodeAssistBaseUrl), new("github-user-url", GithubUserUrl),
    ];

    /// <summary>The endpoint keys of <see cref="Entries"/>: where a login or refresh sends credentials.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Urls => Entries.Where(e => e.Key.EndsWith("-url", StringComparison.Ordinal));
}

/// <summary>A model a provider serves: <see cref="Name"/> upstream, <see cref="Alias"/> as clients call it.</summary>
public sealed record ModelEntry(string Name, string? Alias = null)
{
    public string ClientName => Alias ?? Name;
}

public sealed record RoutingOptions
{
    public string DefaultProvider { get; init; } = "";
    public Dictionary<string, string> Aliases { get; init; } = [];
    public List<RoutingRule> Rules { get; init; } = [];

    /// <summary>Client model names served by several models or providers (docs/configuration.md, "Rules").</summary>
    public Dictionary<string, ModelPool> Pools { get; init; } = [];
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan MaxCooldownWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>quota-reserve</c>: an account whose quota window for the model is at least this used (0–1) is passed over
    /// while another can serve (docs/failover.md, "Quota windows"). 1 turns it off.
    /// </summary>
    public double QuotaReserve { get; init; } = 0.95;

    /// <summary>
    /// How long an upstream may stay silent (before its headers or between stream reads) before the attempt counts as
    /// failed. Not in the spec; generous because a reasoning model can think for minutes before answering.
    /// </summary>
    public TimeSpan UpstreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where a request's conversation id is read, first found wins (<see cref="Ingress.SessionSources"/>).</summary>
    public List<string> SessionSources { get; init; } = [.. Ingress.SessionSources.Default];
}

public sealed record RoutingRule
{
    public string Match { get; init; } = "";
    public List<string> Providers { get; init; } = [];
}

public sealed record TelemetryOptions
{
    public string ServiceName { get; init; } = "llm-mux";
    public string OtlpEndpoint { get; init; } = "";
    public bool Prometheus { get; init; } = true;
}
