using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace LlmMux.Gateway.Telemetry;

/// <summary>
/// The gateway's own meter (<c>LlmMux</c>): YARP 2.3 emits traces but no metrics, so requests, attempts, failovers,
/// tokens, time to first byte and stream counts are measured here. Tags never carry a key or token: accounts are
/// named by destination id only.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "LlmMux";
    public const string ActivitySourceName = "LlmMux";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>
    /// Bucket bounds for the second-valued histograms, from 5 ms to 10 min. Without them the exporters fall back to
    /// OpenTelemetry's default bounds (0, 5, 10, 25, … meant for milliseconds), which put every answer under 5 s in one
    /// bucket and made the dashboard's p50/p95 read 2.5 s and 4.75 s whatever happened (found by deploy/verify-dashboard).
    /// </summary>
    internal static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600],
    };

    private readonly Counter<long> _requests;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _inputTokens;
    private readonly Counter<long> _outputTokens;
    private readonly Histogram<double> _timeToFirstByte;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _activeStreams;
    private readonly Counter<long> _rejected;
    private long _streamsNow;
    private long _requestsNow;

    public GatewayMetrics(IMeterFactory meterFactory, Health.AccountStateStore accounts, Quota.QuotaStateStore? quota = null)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("llm_mux.requests", "{request}", "Client LLM requests, by dialect, model and status.");
        _attempts = meter.CreateCounter<long>("llm_mux.upstream.attempts", "{attempt}", "Upstream attempts, by provider and outcome.");
        _failovers = meter.CreateCounter<long>("llm_mux.failovers", "{failover}", "Attempts that failed before the first byte and moved on.");
        _inputTokens = meter.CreateCounter<long>("llm_mux.tokens.input", "{token}", "Input tokens reported by upstreams.");
        _outputTokens = meter.CreateCounter<long>("llm_mux.tokens.output", "{token}", "Output tokens reported by upstreams.");
        _timeToFirstByte = meter.CreateHistogram("llm_mux.time_to_first_byte", "s", "From request start to the first byte sent to the client (time to first token for streams).", tags: null, advice: SecondsBuckets);
        _duration = meter.CreateHistogram("llm_mux.request.duration", "s", "Whole client request, streams included.", tags: null, advice: SecondsBuckets);
        _activeStreams = meter.CreateUpDownCounter<long>("llm_mux.active_streams", "{stream}", "Streaming responses in progress.");
        _rejected = meter.CreateCounter<long>("llm_mux.requests.rejected", "{request}", "Requests refused before routing (no or wrong key, foreign host or origin, not JSON), by reason.");
        meter.CreateObservableGauge("llm_mux.accounts.cooling", () => (long)accounts.CoolingCount(), "{account}", "Accounts cooling down now (any model).");
        if (quota is not null)
        {
            meter.CreateObservableGauge("llm_mux.quota.remaining", () => QuotaRemaining(quota), "1", "Share of each quota window an account has left (0–1), as its provider last reported.");
        }
    }

    /// <summary>One measurement per (provider, account, window) not yet reset. The account is the login id or destination id, never a token.</summary>
    private static IEnumerable<Measurement<double>> QuotaRemaining(Quota.QuotaStateStore quota)
    {
        var now = quota.Time.GetUtcNow();
        foreach (var account in quota.All())
        {
            var providers = (account.Destinations ?? []).Select(d => d.Split('/')[0]).Distinct(StringComparer.Ordinal);
            foreach (var provider in providers)
            {
                foreach (var window in account.Windows.Where(w => w.ResetsAt is not { } reset || reset > now))
                {
                    yield return new Measurement<double>(1 - window.UsedFraction,
                        new KeyValuePair<string, object?>("provider", provider),
                        new KeyValuePair<string, object?>("account", account.Account),
                        new KeyValuePair<string, object?>("window", window.Name));
                }
            }
        }
    }

    /// <summary>Whether anything listens to the request metrics; callers skip gathering tags when not.</summary>
    public bool RequestsEnabled => _requests.Enabled || _duration.Enabled;

    public void Request(string dialect, string model, int status, double seconds)
    {
        if (RequestsEnabled)
        {
            RequestCore(dialect, model, status, seconds);
        }
    }

    public void Attempt(string provider, string outcome)
    {
        if (_attempts.Enabled)
        {
            AttemptCore(provider, outcome);
        }
    }

    public void Failover(string provider, string reason)
    {
        if (_failovers.Enabled)
        {
            FailoverCore(provider, reason);
        }
    }

    public void Tokens(string provider, string model, long input, long output)
    {
        if ((_inputTokens.Enabled && input > 0) || (_outputTokens.Enabled && output > 0))
        {
            TokensCore(provider, model, input, output);
        }
    }

    public void FirstByte(string dialect, double seconds)
    {
        if (_timeToFirstByte.Enabled)
        {
            FirstByteCore(dialect, seconds);
        }
    }

    /// <param name="reason">An <see cref="Errors.ApiError.Code"/>: a fixed set, never client text.</param>
    public void Rejected(string reason)
    {
        if (_rejected.Enabled)
        {
            RejectedCore(reason);
        }
    }

    // Not gated: a listener that attaches between a stream's start and end would otherwise see it end without starting.
    public void StreamStarted()
    {
        Interlocked.Increment(ref _streamsNow);
        _activeStreams.Add(1);
    }

    public void StreamEnded()
    {
        Interlocked.Decrement(ref _streamsNow);
        _activeStreams.Add(-1);
    }

    public void RequestStarted() => Interlocked.Increment(ref _requestsNow);

    public void RequestEnded() => Interlocked.Decrement(ref _requestsNow);

    /// <summary>Streaming responses this process is sending now (<c>GET /v0/management/activity</c>).</summary>
    public long ActiveStreams => Interlocked.Read(ref _streamsNow);

    /// <summary>LLM requests this process is serving now, streams included.</summary>
    public long RequestsInFlight => Interlocked.Read(ref _requestsNow);

    // The cores are kept out of line so the checks above inline at every call site and cost nothing while unobserved.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RequestCore(string dialect, string model, int status, double seconds)
    {
        var tags = new TagList { { "llm_mux.dialect", dialect }, { "gen_ai.request.model", model }, { "http.response.status_code", status } };
        _requests.Add(1, tags);
        _duration.Record(seconds, tags);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AttemptCore(string provider, string outcome) => _attempts.Add(1, new TagList { { "llm_mux.provider", provider }, { "llm_mux.outcome", outcome } });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FailoverCore(string provider, string reason) => _failovers.Add(1, new TagList { { "llm_mux.provider", provider }, { "llm_mux.failover_reason", reason } });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TokensCore(string provider, string model, long input, long output)
    {
        var tags = new TagList { { "llm_mux.provider", provider }, { "gen_ai.request.model", model } };
        if (input > 0)
        {
            _inputTokens.Add(input, tags);
        }

        if (output > 0)
        {
            _outputTokens.Add(output, tags);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FirstByteCore(string dialect, double seconds) => _timeToFirstByte.Record(seconds, new TagList { { "llm_mux.dialect", dialect } });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RejectedCore(string reason) => _rejected.Add(1, new TagList { { "llm_mux.reason", reason } });
}
