using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Quota;
using LlmMux.Translation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Endpoints;

/// <summary>
/// Model lists in every dialect's own shape (<see cref="DialectDescriptor.WriteModelList"/>), all from the one
/// resolver the router uses: OpenAI, Anthropic and Gemini on <c>/v1/models</c> (chosen by the caller's headers),
/// Gemini on <c>/v1beta/models</c>, Ollama's <c>/api/tags</c> and <c>/api/show</c>. Each endpoint carries its
/// dialect as <see cref="DialectMetadata"/>, which its errors (and those of the middleware before it) are written in.
/// </summary>
internal static class ModelsEndpoints
{
    private const string OllamaVersion = "0.12.0";
    private const int ShowBodyLimit = 64 * 1024;

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        var shared = new DialectMetadata(Dialect.OpenAIChat, CallerDialect.ModelListCallers);
        endpoints.MapGet("/v1/models", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, shared.For(context.Request)))
            .WithMetadata(shared);
        endpoints.MapGet("/v1/models/{**id}", (HttpContext context, string id, GatewayConfigStore config) => WriteOneAsync(context, config.Current, id, shared.For(context.Request)))
            .WithMetadata(shared);
        var gemini = new DialectMetadata(Dialect.Gemini);
        foreach (var prefix in (string[])["/v1beta", "/v1alpha"])
        {
            endpoints.MapGet(prefix + "/models", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, Dialect.Gemini))
                .WithMetadata(gemini);
            endpoints.MapGet(prefix + "/models/{**id}", (HttpContext context, string id, GatewayConfigStore config) => WriteOneAsync(context, config.Current, id, Dialect.Gemini))
                .WithMetadata(gemini);
        }

        var ollama = new DialectMetadata(Dialect.Ollama);
        foreach (var prefix in (string[])["/api", "/ollama/api"])
        {
            endpoints.MapGet(prefix + "/tags", (HttpContext context, GatewayConfigStore config) => WriteListAsync(context, config.Current, Dialect.Ollama))
                .WithMetadata(ollama);
            endpoints.MapPost(prefix + "/show", ShowAsync).WithMetadata(ollama);
            endpoints.MapGet(prefix + "/version", () => Results.Text($"{{\"version\":\"{OllamaVersion}\"}}", "application/json"))
                .WithMetadata(ollama);
        }

        return endpoints;
    }

    private static async Task WriteListAsync(HttpContext context, GatewaySnapshot snapshot, Dialect dialect)
    {
        // Claude Code keeps only claude*/anthropic* ids, so Anthropic-shaped callers also get the claude-code: names,
        // each with a display name naming the real model; other dialects' lists stay what the providers serve.
        var claudeCode = snapshot.ClaudeCode;
        var anthropic = dialect == Dialect.Anthropic;
        var models = snapshot.Resolver.ListedModels()
            .Where(m => anthropic || !claudeCode.IsAlias(m.Model))
            .Select(m => new ListedModel(m.Model, m.Provider, anthropic ? claudeCode.DisplayName(m.Model, snapshot.Resolver) : null))
            .ToList();
        if (context.RequestServices.GetService<QuotaStateStore>() is { } quota)
        {
            AddReportedModels(models, snapshot, quota, anthropic);
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        Dialects.Get(dialect).WriteModelList(w, models);
    }

    /// <summary>The models an account's quota read named (<see cref="Providers.ProviderType.ListsReportedModels"/>) that the static catalogue does not list.</summary>
    private static void AddReportedModels(List<ListedModel> models, GatewaySnapshot snapshot, QuotaStateStore quota, bool anthropic)
    {
        var seen = models.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var provider in snapshot.Providers.Where(p => p.Kind.ListsReportedModels && p.Models.Count == 0))
        {
            foreach (var model in provider.Accounts.SelectMany(a => quota.ReportedModels(QuotaPoller.KeyFor(a))).Order(StringComparer.Ordinal))
            {
                if (provider.Serves(model) && provider.Offers(model, model) && seen.Add(model))
                {
                    models.Add(new ListedModel(model, provider.Name, anthropic ? snapshot.ClaudeCode.DisplayName(model, snapshot.Resolver) : null));
                }
            }
        }
    }

    private static async Task WriteOneAsync(HttpContext context, GatewaySnapshot snapshot, string id, Dialect dialect)
    {
        var descriptor = Dialects.Get(dialect);
        id = descriptor.ModelIdFromPath(id);
        if (snapshot.Resolver.Resolve(id) is not { } route)
        {
            await ApiErrorWriter.WriteAsync(context, dialect, ApiError.ModelNotFound(id)).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        descriptor.WriteModel(w, new ListedModel(id, route.Chain[0].Provider.Name, snapshot.ClaudeCode.DisplayName(id, snapshot.Resolver)));
    }

    private static async Task ShowAsync(HttpContext context, GatewayConfigStore config)
    {
        string? model = null;
        // A model-info call is a few dozen bytes: capped, so it cannot be used to make the gateway parse megabytes.
        using var body = await Ingress.RequestBodyReader.ReadAsync(context.Request, ShowBodyLimit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await ApiErrorWriter.WriteAsync(context, Dialect.Ollama, new ApiError(413, "request_too_large", "A model-info request is at most 64 KiB.")).ConfigureAwait(false);
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

        if (model is null || config.Current.Resolver.Resolve(model) is not { } route)
        {
            await ApiErrorWriter.WriteAsync(context, Dialect.Ollama, ApiError.ModelNotFound(model ?? "")).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        Dialects.Get(Dialect.Ollama).WriteModelInfo(w, new ListedModel(model, route.Chain[0].Provider.Name));
    }
}
