using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>The browser guard's exceptions, judged before any endpoint runs: probes and scrapers, and management.</summary>
internal static class ServicePaths
{
    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>: answered without a key, under whatever host name the platform uses.</summary>
    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz" || path == "/metrics";

    public static bool IsManagement(PathString path) => path.StartsWithSegments("/v0/management");
}
