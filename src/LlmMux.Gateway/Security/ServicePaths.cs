using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>The routes that are not LLM calls: probes and scrapers, and management with its own secret.</summary>
internal static class ServicePaths
{
    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>: answered without a key, under whatever host name the platform uses.</summary>
    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz" || path == "/metrics";

    public static bool IsManagement(PathString path) => path.StartsWithSegments("/v0/management");

    /// <summary>Probes and management: neither client keys nor client rate limits apply.</summary>
    public static bool IsService(PathString path) => IsProbe(path) || IsManagement(path);
}
