using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: a config is loaded and in effect.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        endpoints.MapGet("/readyz", (GatewayConfigStore config) =>
        {
            var snapshot = config.Current;
            return Results.Json(
                new ReadyStatus("ready", snapshot.Revision, snapshot.Providers.Count, config.LastError),
                GatewayJsonContext.Default.ReadyStatus);
        });
        return endpoints;
    }
}

internal sealed record ReadyStatus(string Status, int Revision, int Providers, string? LastReloadError);
