namespace LlmMux.Gateway.Configuration;

/// <summary>
/// <c>cluster:</c> — replicas that share state through one Redis (docs/operations.md, "Running several replicas").
/// Without <see cref="Redis"/> nothing is shared: in-memory state and the auth dir's files, as on one machine.
/// Read once at start: changing it needs a restart.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary><c>redis://host:6379</c> (<c>rediss://</c> for TLS), optionally with <c>user:password@</c> and <c>/db</c>; empty = off.</summary>
    public string Redis { get; init; } = "";

    /// <summary>Prefix of every key and channel, so several fleets can share one Redis.</summary>
    public string Namespace { get; init; } = "llm-mux";

    /// <summary>Redis password when the URL carries none (or <c>LLM_MUX_REDIS_PASSWORD</c>).</summary>
    public string Password { get; init; } = "";

    /// <summary>TLS to Redis even with a <c>redis://</c> URL.</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// PEM file of the certificate authority that signed Redis's TLS certificate (a private CA); empty = the system's
    /// trust store. The server's name is still checked against its certificate.
    /// </summary>
    public string TlsCa { get; init; } = "";

    /// <summary>
    /// Encrypts login credentials at rest in Redis (AES-GCM): base64 of 32 bytes, or any passphrase (stretched).
    /// Or <c>LLM_MUX_CLUSTER_KEY</c>. Without it login accounts stay in each replica's own auth dir.
    /// </summary>
    public string EncryptionKey { get; init; } = "";

    /// <summary>Name of this replica in <c>GET /v0/management/cluster</c>; default the host name (the id adds a random part per start).</summary>
    public string InstanceName { get; init; } = "";

    public bool Enabled => Redis.Length > 0;
}
