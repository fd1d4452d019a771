using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Endpoints;

/// <summary>
/// Model lists in every dialect's own shape, all from the one resolver the router uses: OpenAI, Anthropic and Gemini
/// on <c>/v1/models</c> (chosen by the caller's headers, spec §4), Gemini on <c>/v1beta/models</c>, Ollama's
/// <c>/api/tags</c> and <c>/api/show</c>.
/// </summary>
internal static class ModelsEndpoints
{
    private const string OllamaVersion = "0.12.0";

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, DialectDetector.Detect(context.Request)));
        endpoints.MapGet("/v1/models/{**id}", (HttpContext context, string id, GatewayConfigStore config) => WriteOneAsync(context, config.Current, id, DialectDetector.Detect(context.Request)));
        foreach (var prefix in (string[])["/v1beta", "/v1alpha"])
        {
            endpoints.MapGet(prefix + "/models", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, ApiDialect.Gemini));
            endpoints.MapGet(prefix + "/models/{**id}", (HttpContext context, string id, GatewayConfigStore config) => WriteOneAsync(context, config.Current, id, ApiDialect.Gemini));
        }

        foreach (var prefix in (string[])["/api", "/ollama/api"])
        {
            endpoints.MapGet(prefix + "/tags", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, ApiDialect.Ollama));
            endpoints.MapPost(prefix + "/show", ShowAsync);
            endpoints.MapGet(prefix + "/version", () => Results.Text($"{{\"version\":\"{OllamaVersion}\"}}", "application/json"));
        }

        return endpoints;
    }

    private static async Task WriteListAsync(HttpContext context, GatewaySnapshot snapshot, ApiDialect dialect)
    {
        var models = snapshot.Resolver.ListedModels().ToList();
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        switch (dialect)
        {
            case ApiDialect.Anthropic:
                w.WriteStartArray("data");
                models.ForEach(m => WriteModel(w, m.Model, m.Provider, dialect));
                w.WriteEndArray();
                w.WriteBoolean("has_more", false);
                WriteStringOrNull(w, "first_id", models.FirstOrDefault().Model);
                WriteStringOrNull(w, "last_id", models.LastOrDefault().Model);
                break;
            case ApiDialect.Gemini or ApiDialect.Ollama:
                w.WriteStartArray("models");
                models.ForEach(m => WriteModel(w, m.Model, m.Provider, dialect));
                w.WriteEndArray();
                break;
            default:
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                models.ForEach(m => WriteModel(w, m.Model, m.Provider, dialect));
                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    private static async Task WriteOneAsync(HttpContext context, GatewaySnapshot snapshot, string id, ApiDialect dialect)
    {
        if (dialect == ApiDialect.Gemini && id.StartsWith("models/", StringComparison.Ordinal))
        {
            id = id["models/".Length..];
        }

        if (snapshot.Resolver.Resolve(id) is not { } route)
        {
            await ApiErrorWriter.WriteAsync(context, dialect, ApiError.ModelNotFound(id)).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        WriteModel(w, id, route.Chain[0].Provider.Name, dialect);
    }

    private const int ShowBodyLimit = 64 * 1024;

    private static async Task ShowAsync(HttpContext context, GatewayConfigStore config)
    {
        string? model = null;
        // A model-info call is a few dozen bytes: capped, so it cannot be used to make the gateway parse megabytes.
        using var body = await Ingress.RequestBodyReader.ReadAsync(context.Request, ShowBodyLimit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await ApiErrorWriter.WriteAsync(context, ApiDialect.Ollama, new ApiError(413, "request_too_large", "A model-info request is at most 64 KiB.")).ConfigureAwait(false);
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(body.Memory);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && (doc.RootElement.TryGetProperty("model", out var m) || doc.RootElement.TryGetProperty("name", out m))
                && m.ValueKind == JsonValueKind.String)
            {
                model = m.GetString();
            }
        }
        catch (JsonException)
        {
        }

        if (model is null || config.Current.Resolver.Resolve(model) is null)
        {
            await ApiErrorWriter.WriteAsync(context, ApiDialect.Ollama, ApiError.ModelNotFound(model ?? "")).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteString("modelfile", "");
        w.WriteString("parameters", "");
        w.WriteString("template", "{{ .Prompt }}");
        WriteOllamaDetails(w);
        w.WriteStartObject("model_info");
        w.WriteEndObject();
        w.WriteStartArray("capabilities");
        w.WriteStringValue("completion");
        w.WriteStringValue("tools");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteModel(Utf8JsonWriter w, string id, string provider, ApiDialect dialect)
    {
        w.WriteStartObject();
        switch (dialect)
        {
            case ApiDialect.Anthropic:
                w.WriteString("type", "model");
                w.WriteString("id", id);
                w.WriteString("display_name", id);
                w.WriteString("created_at", "1970-01-01T00:00:00Z");
                break;
            case ApiDialect.Gemini:
                w.WriteString("name", "models/" + id);
                w.WriteString("displayName", id);
                w.WriteString("description", $"Served by llm-mux through provider '{provider}'.");
                w.WriteStartArray("supportedGenerationMethods");
                w.WriteStringValue("generateContent");
                w.WriteStringValue("streamGenerateContent");
                w.WriteStringValue("countTokens");
                w.WriteEndArray();
                break;
            case ApiDialect.Ollama:
                w.WriteString("name", id);
                w.WriteString("model", id);
                w.WriteString("modified_at", "1970-01-01T00:00:00Z");
                w.WriteNumber("size", 0);
                w.WriteString("digest", "");
                WriteOllamaDetails(w);
                break;
            default:
                w.WriteString("id", id);
                w.WriteString("object", "model");
                w.WriteNumber("created", 0);
                w.WriteString("owned_by", provider);
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteOllamaDetails(Utf8JsonWriter w)
    {
        w.WriteStartObject("details");
        w.WriteString("format", "remote");
        w.WriteString("family", "llm-mux");
        w.WriteString("parameter_size", "");
        w.WriteString("quantization_level", "");
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
