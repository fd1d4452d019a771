using System.Diagnostics;
using System.Text.Json;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Routing;
using LlmMux.Gateway.Telemetry;
using LlmMux.Translation;
using LlmMux.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// First step of the proxy pipeline: reads and parses the body once (capped), resolves the model to a provider chain
/// and leaves an <see cref="LlmRequestFeature"/> for the failover loop, transforms and load balancer. When some
/// provider of the chain speaks another dialect the body is decoded into the IR here, once, so a malformed request
/// is a 400 in the caller's dialect before any upstream is called.
/// </summary>
internal sealed class LlmRequestMiddleware(RequestDelegate next, GatewayConfigStore config, GatewayMetrics metrics, AccountStateStore accounts, UsageLedger ledger, RequestLog requestLog, ModelLabels labels)
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

        if (ingress.LoopbackOnly && !Security.Caller.IsLocal(context) && !Security.ClientAuthMiddleware.IsRelayFromThisProcess(context))
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
            kind = action == "countTokens" ? IngressKind.CountTokens : IngressKind.Generate;
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

        IrRequest? ir = null;
        var needsIr = kind == IngressKind.CountTokens || route.Chain.Any(t => t.Provider.Protocol.Dialect != ingress.Format);
        if (needsIr)
        {
            try
            {
                ir = Translator.Default.DecodeRequest(body, ingress.Format);
            }
            catch (TranslationException ex)
            {
                await ApiErrorWriter.WriteAsync(context, ingress.ErrorDialect, ApiError.InvalidRequest(ex.Message)).ConfigureAwait(false);
                return;
            }
        }

        var request = new LlmRequestFeature(ingress, snapshot, body, model, stream && kind != IngressKind.CountTokens, route)
        {
            SessionKey = SessionHeader(context.Request) ?? probe.SessionKey,
            GeminiJsonArrayStream = stream && Dialects.Get(ingress.Format).StreamsJsonArray(context.Request.Query["alt"]),
            Ir = ir,
            IsCountTokens = kind == IngressKind.CountTokens,
            ModelLabel = labels.For(snapshot.Resolver, model),
        };

        if (request.IsCountTokens && !TokenCountEndpoint.HasNativeCounter(request))
        {
            await TokenCountEndpoint.WriteEstimateAsync(context, request).ConfigureAwait(false);
            return;
        }

        context.Features.Set(request);
        await ForwardAsync(context, request).ConfigureAwait(false);
    }

    /// <summary>The rest of the pipeline inside the request's span, with its metrics recorded whatever happens.</summary>
    private async Task ForwardAsync(HttpContext context, LlmRequestFeature request)
    {
        var started = Stopwatch.GetTimestamp();
        var dialect = request.Ingress.Format.ToString();
        using var activity = GatewayMetrics.ActivitySource.StartActivity("llm-mux.request", ActivityKind.Internal);
        activity?.SetTag("llm_mux.dialect", dialect);
        activity?.SetTag("gen_ai.request.model", request.Model);
        activity?.SetTag("llm_mux.stream", request.Stream);
        context.Response.OnStarting(() =>
        {
            metrics.FirstByte(dialect, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return Task.CompletedTask;
        });
        if (request.Stream)
        {
            metrics.StreamStarted();
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (request.Stream)
            {
                metrics.StreamEnded();
            }

            var status = context.Response.StatusCode;
            activity?.SetTag("http.response.status_code", status);
            activity?.SetTag("llm_mux.provider", request.Target?.Provider.Name);
            if (status >= 400)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Request(dialect, request.ModelLabel, status, elapsed.TotalSeconds);
            Account(context, request, dialect, status, elapsed);
        }
    }

    /// <summary>Usage and the request log, attributed to the account that answered (the last attempt's).</summary>
    private void Account(HttpContext context, LlmRequestFeature request, string dialect, int status, TimeSpan elapsed)
    {
        var destination = context.GetReverseProxyFeature().ProxiedDestination?.DestinationId;
        var provider = request.Target?.Provider.Name;
        long input = request.Usage?.InputTokens ?? 0, output = request.Usage?.OutputTokens ?? 0;
        if (provider is not null && destination is not null && status < 400)
        {
            metrics.Tokens(provider, request.ModelLabel, input, output);
            accounts.TokensUsed(destination, input + output);
            ledger.Record(DateTimeOffset.UtcNow, provider, destination, request.ModelLabel, input, output);
        }

        requestLog.Add(new RequestRecord(DateTimeOffset.UtcNow, dialect, request.Model, provider, destination, status, request.Attempts, elapsed.TotalMilliseconds, input, output));
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
        return action is "generateContent" or "streamGenerateContent" or "countTokens";
    }

    /// <summary>Conversation ids clients send as headers (Codex CLI: <c>session_id</c>; others: <c>x-session-id</c>).</summary>
    private static string? SessionHeader(HttpRequest request)
    {
        foreach (var name in (ReadOnlySpan<string>)["x-session-id", "session_id", "x-conversation-id", "conversation_id"])
        {
            if (request.Headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                return value.ToString();
            }
        }

        return null;
    }
}
