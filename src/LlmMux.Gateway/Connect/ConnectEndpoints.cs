using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Connect;

/// <summary>
/// <c>GET /v0/management/connect</c> (the client names) and <c>GET /v0/management/connect/{client}</c>: what
/// <c>llm-mux connect</c> prints, for the dashboard's Connect page. The URL is the one the caller used; the client key
/// is never read from the config into an answer: <c>?key=</c> fills it in, else a placeholder says where it goes.
/// </summary>
internal static class ConnectEndpoints
{
    /// <summary>Stands for a key from <c>api-keys</c>, which this API does not hand out.</summary>
    public const string KeyPlaceholder = "YOUR_LLM_MUX_KEY";

    public static RouteGroupBuilder MapConnect(this RouteGroupBuilder group)
    {
        group.MapGet("/connect", () => Results.Json(ClientSetups.Clients, ConnectJsonContext.Default.IReadOnlyListString));
        group.MapGet("/connect/{client}", (string client, string? key, string? model, HttpContext http, GatewayConfigStore config) =>
        {
            var url = $"{http.Request.Scheme}://{http.Request.Host}";
            var hasKeys = config.Current.ClientKeyHashes.Count > 0;
            var setup = ClientSetups.For(client, new ConnectTarget(url, string.IsNullOrEmpty(key) ? (hasKeys ? KeyPlaceholder : null) : key, string.IsNullOrEmpty(model) ? null : model));
            return setup is null
                ? Management.ManagementEndpoints.Problem(404, $"unknown client '{client}'; one of {string.Join(", ", ClientSetups.Clients)}")
                : Results.Json(setup, ConnectJsonContext.Default.ClientSetup);
        });
        return group;
    }
}
