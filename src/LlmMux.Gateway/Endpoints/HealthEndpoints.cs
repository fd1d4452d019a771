using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using LlmMux.Gateway.Security;

namespace LlmMux.Gateway.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: a config is loaded and in effect.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        var probes = endpoints.MapGroup("").AsProbe();
        probes.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        probes.MapGet("/readyz", (GatewayConfigStore config, Cluster.RedisLink redis) =>
        {
            var snapshot = config.Current;
            // Ready with Redis away too: a replica serves on local state, and taking it out of rotation would only
            // move its load onto replicas that are just as cut off.
            return Results.Json(
                new ReadyStatus("ready", snapshot.Revision, snapshot.Providers.Count, config.LastError is null ? null : ReloadFailed, Cluster.ClusterEndpoints.Readiness(redis)),
                GatewayJsonContext.Default.ReadyStatus);
        });
        return endpoints;
    }

    /// <summary>
    /// /readyz answers without a key, and a reload error can quote config values (a key pasted into the wrong field), so
    /// only the management API shows its text.
    /// </summary>
    internal const string ReloadFailed = "config reload failed; see the log or GET /v0/management/config";
}

internal sealed record ReadyStatus(string Status, int Revision, int Providers, string? LastReloadError, Cluster.ClusterReadiness? Cluster = null);
