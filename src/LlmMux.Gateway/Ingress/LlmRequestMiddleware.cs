using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Telemetry;
using LlmMux.Translation;
using LlmMux.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// First step of the proxy pipeline: reads and parses the body once (capped), resolves the model to a provider chain
/// and leaves an immutable <see cref="LlmRequest"/> for telemetry, the failover loop, transforms and load balancer. When some
/// provider of the chain speaks another dialect the body is decoded into the IR here, once, so a malformed request
/// is a 400 in the caller's dialect before any upstream is called.
/// </summary>
internal sealed class LlmRequestMiddleware(RequestDelegate next, GatewayConfigStore config, ModelLabels labels, Translator translator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        if (IngressRoute.Find(routeId) is not { } ingress)
        {
            // Hidden per-provider routes exist only as ReassignProxyRequest targets; nobody may call them directly.
            await ApiErrorWriter.WriteAsync(context, Dialect.OpenAIChat, ApiError.UnknownRoute(context.Request.Path)).ConfigureAwait(false);
            return;
        }

        if (ingress.LoopbackOnly && !Security.Caller.IsLocal(context) && !Security.ClientKeyHandler.IsRelayFromThisProcess(context))
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.LoopbackOnly()).ConfigureAwait(false);
            return;
        }

        var snapshot = config.Current;
        var pooled = await RequestBodyReader.ReadAsync(context.Request, snapshot.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (pooled is null)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.BodyTooLarge(snapshot.MaxRequestBodyBytes)).ConfigureAwait(false);
            return;
        }

        context.Response.RegisterForDispose(pooled);
        var body = pooled.Memory;

        RequestProbe probe;
        try
        {
            probe = RequestProbe.Read(body.Span);
        }
        catch (JsonException ex)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.InvalidJson(ex.Message)).ConfigureAwait(false);
            return;
        }

        var kind = ingress.Kind;
        string? model = probe.Model;
        var stream = probe.Stream ?? ingress.StreamsByDefault;
        if (kind == IngressKind.StreamingGenerate)
        {
            stream = true;
            kind = IngressKind.Generate;
        }
        else if (kind == IngressKind.GeminiModelAction)
        {
            if (!TryParseGeminiAction(context.Request.RouteValues["action"] as string, out model, out var action))
            {
                await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.UnknownRoute(context.Request.Path)).ConfigureAwait(false);
                return;
            }

            stream = action == "streamGenerateContent";
            kind = action switch
            {
                "countTokens" => IngressKind.CountTokens,
                "embedContent" => IngressKind.SingleEmbedding,
                "batchEmbedContents" => IngressKind.Embeddings,
                _ => IngressKind.Generate,
            };
        }

        if (string.IsNullOrEmpty(model))
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.MissingModel()).ConfigureAwait(false);
            return;
        }

        if (ModelName.Problem(model) is { } problem)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.InvalidModel(problem)).ConfigureAwait(false);
            return;
        }

        if (snapshot.Resolver.Resolve(model) is not { Chain.Count: > 0 } route)
        {
            await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.ModelNotFound(model)).ConfigureAwait(false);
            return;
        }

        Operations.OperationRequest? operation = null;
        if (Operations.OperationRequest.Covers(kind))
        {
            var prepared = Operations.OperationIngress.Prepare(kind, ingress.Format, body, model, ingress.Kind == IngressKind.GeminiModelAction ? model : null, route);
            if (prepared.Error is { } error)
            {
                await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, error).ConfigureAwait(false);
                return;
            }

            (operation, route) = (prepared.Operation, prepared.Route!);
        }

        IrRequest? ir = null;
        var needsIr = operation is null && (kind == IngressKind.CountTokens || route.Chain.Any(t => t.Protocol.Dialect != ingress.Format));
        if (needsIr)
        {
            try
            {
                ir = translator.DecodeRequest(body, ingress.Format);
            }
            catch (TranslationException ex)
            {
                await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.InvalidRequest(ex.Message)).ConfigureAwait(false);
                return;
            }
        }

        var (session, _) = snapshot.Sessions.Find(context.Request, probe.Sessions);
        var request = new LlmRequest(ingress, snapshot, body, model, stream && kind != IngressKind.CountTokens && operation is null, route)
        {
            Operation = operation,
            SessionKey = session,
            ThinkingBudget = probe.ThinkingBudget,
            Attribution = ClientAttribution.From(context.Request, session),
            GeminiJsonArrayStream = stream && Dialects.Get(ingress.Format).StreamsJsonArray(context.Request.Query["alt"]),
            Ir = ir,
            IsCountTokens = kind == IngressKind.CountTokens,
            ModelLabel = labels.For(snapshot.Resolver, model),
        };

        if (request.IsCountTokens && !TokenCountEndpoint.HasNativeCounter(request))
        {
            await TokenCountEndpoint.WriteLocalCountAsync(context, request).ConfigureAwait(false);
            return;
        }

        context.Features.Set(request);
        await next(context).ConfigureAwait(false);
    }

    private static bool TryParseGeminiAction(string? value, out string? model, out string action)
    {
        model = null;
        action = "";
        var colon = value?.LastIndexOf(':') ?? -1;
        if (colon <= 0)
        {
            return false;
        }

        model = value![..colon];
        action = value[(colon + 1)..];
        return action is "generateContent" or "streamGenerateContent" or "countTokens" or "embedContent" or "batchEmbedContents";
    }
}
