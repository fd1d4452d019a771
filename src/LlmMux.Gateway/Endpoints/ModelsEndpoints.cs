using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>/v1/models/{id}</c>, from the models the current config can route.</summary>
internal static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current));
        endpoints.MapGet("/v1/models/{**id}", (HttpContext context, string id, GatewayConfigStore config) => WriteOneAsync(context, config.Current, id));
        return endpoints;
    }

    private static async Task WriteListAsync(HttpContext context, GatewaySnapshot snapshot)
    {
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var (model, provider) in snapshot.Resolver.ListedModels())
        {
            WriteModel(w, model, provider);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static async Task WriteOneAsync(HttpContext context, GatewaySnapshot snapshot, string id)
    {
        var route = snapshot.Resolver.Resolve(id);
        if (route is null)
        {
            await ApiErrorWriter.WriteAsync(context, ApiDialect.OpenAI, ApiError.ModelNotFound(id)).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        WriteModel(w, id, route.Chain[0].Provider.Name);
    }

    private static void WriteModel(Utf8JsonWriter w, string id, string provider)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "model");
        w.WriteNumber("created", 0);
        w.WriteString("owned_by", provider);
        w.WriteEndObject();
    }
}
