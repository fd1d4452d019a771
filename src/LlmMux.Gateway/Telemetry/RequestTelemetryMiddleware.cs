using System.Diagnostics;
using LlmMux.Gateway.Forwarding;
using LlmMux.Gateway.Ingress;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Telemetry;

/// <summary>
/// The one place a parsed LLM request is measured: the rest of the pipeline runs inside its <c>llm-mux.request</c>
/// span, with time to first byte, active streams, the request metric and usage (<see cref="UsageRecorder"/>) recorded
/// whatever happens. Sits right after <see cref="LlmRequestMiddleware"/>: calls it answers itself (bad input, token
/// estimates) are not LLM requests served.
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next, GatewayMetrics metrics, UsageRecorder usage)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.GetRequiredFeature<LlmRequest>();
        var started = Stopwatch.GetTimestamp();
        var dialect = request.Ingress.Format.ToString();
        using var activity = GatewayMetrics.ActivitySource.StartActivity("llm-mux.request", ActivityKind.Internal);
        activity?.SetTag("llm_mux.dialect", dialect);
        activity?.SetTag("gen_ai.request.model", request.Model);
        activity?.SetTag("llm_mux.stream", request.Stream);
        activity?.SetTag("session.id", request.SessionKey);
        TimeSpan? firstByte = null;
        context.Response.OnStarting(() =>
        {
            firstByte = Stopwatch.GetElapsedTime(started);
            metrics.FirstByte(dialect, firstByte.Value.TotalSeconds);
            return Task.CompletedTask;
        });
        metrics.RequestStarted();
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
            metrics.RequestEnded();
            if (request.Stream)
            {
                metrics.StreamEnded();
            }

            var status = context.Response.StatusCode;
            var failover = context.Features.Get<FailoverState>();
            var provider = failover?.Target?.Provider.Name;
            activity?.SetTag("http.response.status_code", status);
            activity?.SetTag("llm_mux.provider", provider);
            if (status >= 400)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Request(dialect, request.ModelLabel, status, elapsed.TotalSeconds);
            usage.Record(new FinishedRequest(dialect, request.Model, request.ModelLabel, provider,
                context.GetReverseProxyFeature().ProxiedDestination?.DestinationId, status, failover?.Attempts ?? 0, elapsed,
                context.Features.Get<AttemptFeature>()?.Usage, request.Attribution, failover?.Chain,
                Security.ClientKeyHandler.KeyIdOf(context.User), firstByte));
        }
    }
}
