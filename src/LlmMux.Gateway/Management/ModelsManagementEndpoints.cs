using System.Text.Json.Serialization;
using LlmMux.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Management;

/// <summary>
/// <c>GET /v0/management/models</c>: each routable model with its provider chain in failover order, as
/// <c>llm-mux models</c> prints it (the dashboard's Models page).
/// </summary>
internal static class ModelsManagementEndpoints
{
    public static RouteGroupBuilder MapModelChains(this RouteGroupBuilder management)
    {
        management.MapGet("/models", (GatewayConfigStore config) => Results.Json(Chains(config.Current), ManagementModelsJsonContext.Default.IReadOnlyListModelChainView));
        return management;
    }

    internal static IReadOnlyList<ModelChainView> Chains(GatewaySnapshot snapshot) =>
        [.. snapshot.Resolver.ListedModels()
            .Select(m => new ModelChainView(m.Model, snapshot.Resolver.Resolve(m.Model)?.Chain
                .Select(t => new ModelTargetView(t.Provider.Name, t.Provider.Kind.Type, t.UpstreamModel)).ToList() ?? []))];
}

/// <summary>One routable model and the providers that serve it, first to last.</summary>
internal sealed record ModelChainView(string Model, IReadOnlyList<ModelTargetView> Chain);

/// <summary>One step of a model's chain: the provider, its type and the model name it is asked for.</summary>
internal sealed record ModelTargetView(string Provider, string Type, string UpstreamModel);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<ModelChainView>))]
internal sealed partial class ManagementModelsJsonContext : JsonSerializerContext;
