using System.Diagnostics;
using LlmMux.Gateway.Forwarding;

namespace LlmMux.Gateway.Telemetry;

/// <summary>
/// The span and metrics of one upstream attempt (<c>llm-mux.attempt</c>, <c>llm_mux.upstream.attempts</c>,
/// <c>llm_mux.failovers</c>), started and ended by the failover loop around each attempt.
/// </summary>
internal readonly struct AttemptTelemetry : IDisposable
{
    private readonly GatewayMetrics _metrics;
    private readonly Activity? _activity;
    private readonly string _provider;

    private AttemptTelemetry(GatewayMetrics metrics, Activity? activity, string provider)
    {
        _metrics = metrics;
        _activity = activity;
        _provider = provider;
    }

    public static AttemptTelemetry Start(GatewayMetrics metrics, string provider, int attempt)
    {
        var activity = GatewayMetrics.ActivitySource.StartActivity("llm-mux.attempt", ActivityKind.Internal);
        activity?.SetTag("llm_mux.provider", provider);
        activity?.SetTag("llm_mux.attempt", attempt);
        return new AttemptTelemetry(metrics, activity, provider);
    }

    /// <summary>Records how the attempt ended; <paramref name="account"/> is the destination id, never a credential.</summary>
    public void Ended(AttemptResult result, string? account)
    {
        switch (result)
        {
            case AttemptResult.LoginUnavailable unavailable:
                _activity?.SetStatus(ActivityStatusCode.Error, unavailable.Exception.Reason.ToString());
                break;
            case AttemptResult.RequestInvalid invalid:
                _activity?.SetStatus(ActivityStatusCode.Error, invalid.Error.Code);
                break;
            default:
                _activity?.SetTag("llm_mux.account", account);
                _activity?.SetTag("llm_mux.outcome", result.Outcome);
                break;
        }

        _metrics.Attempt(_provider, result.Outcome);
    }

    /// <summary>The attempt failed before the first byte and the loop moves on.</summary>
    public void FailedOver(AttemptResult result)
    {
        _activity?.SetStatus(ActivityStatusCode.Error, result.Outcome);
        _metrics.Failover(_provider, result.Outcome);
    }

    public void Dispose() => _activity?.Dispose();
}
