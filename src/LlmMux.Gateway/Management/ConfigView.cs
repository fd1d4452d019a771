namespace LlmMux.Gateway.Management;

/// <summary><c>GET /v0/management/config</c>: the file, redacted, and the revision in effect.</summary>
internal sealed record ConfigView(string? Path, string Yaml, int Revision, string? LastReloadError);
