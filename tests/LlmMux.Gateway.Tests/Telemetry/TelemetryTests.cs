using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using LlmMux.Gateway.Telemetry;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Tests.Telemetry;

/// <summary>Metrics and spans after a scripted failover, and no secret in any log line or span at debug level.</summary>
public sealed class TelemetryTests
{
    private const string UpstreamKeyA = "sk-upstream-secret-AAAA";
    private const string UpstreamKeyB = "sk-upstream-secret-BBBB";
    private const string ClientKey = "client-secret-key-CCCC";

    [Fact]
    public async Task A_failover_shows_in_metrics_and_spans_and_no_secret_reaches_a_log_or_span()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            if (context.Request.Headers.Authorization.ToString().EndsWith("AAAA", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "3600";
                return context.Response.WriteAsync("""{"error":{"message":"quota"}}""");
            }

            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
        });
        var logs = new CapturingLoggerProvider();
        var activities = new ConcurrentBag<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GatewayMetrics.ActivitySourceName or "Yarp.ReverseProxy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(activityListener);
        await using var gateway = await GatewayFixture.StartAsync($"""
            debug: true
            api-keys: [{ClientKey}]
            providers:
              - name: up
                type: openai
                base-url: {upstream.BaseUrl}/v1
                api-keys: [{UpstreamKeyA}, {UpstreamKeyB}]
                strategy: fill-first
                models: [{"{"} name: m, alias: telemetry-model {"}"}]
            """, builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(logs);
            });

        var measurements = new ConcurrentDictionary<string, long>();
        var bucketBounds = new ConcurrentDictionary<string, IReadOnlyList<double>>();
        var factory = gateway.GetService<IMeterFactory>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                    if (instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds })
                    {
                        bucketBounds[instrument.Name] = bounds;
                    }
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        meterListener.Start();

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"telemetry-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "Bearer " + ClientKey);
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.DisposeAsync(); // flushes: every span of the request has stopped

        Assert.Equal(1, measurements.GetValueOrDefault("llm_mux.requests"));
        Assert.Equal(2, measurements.GetValueOrDefault("llm_mux.upstream.attempts"));
        Assert.Equal(1, measurements.GetValueOrDefault("llm_mux.failovers"));
        Assert.Equal(3, measurements.GetValueOrDefault("llm_mux.tokens.input"));
        Assert.Equal(2, measurements.GetValueOrDefault("llm_mux.tokens.output"));

        // Seconds-valued histograms need second-sized buckets, or every answer under 5 s lands in one bucket.
        foreach (var name in new[] { "llm_mux.time_to_first_byte", "llm_mux.request.duration" })
        {
            Assert.True(bucketBounds.TryGetValue(name, out var bounds), name);
            Assert.True(bounds[0] <= 0.01 && bounds[^1] >= 60, $"{name}: {string.Join(", ", bounds)}");
        }

        // The listener is process-wide and other tests run in parallel: keep to this test's own trace.
        var root = Assert.Single(activities, a => a.OperationName == "llm-mux.request" && (string?)a.GetTagItem("gen_ai.request.model") == "telemetry-model");
        var trace = activities.Where(a => a.TraceId == root.TraceId).ToList();
        var attempts = trace.Where(a => a.OperationName == "llm-mux.attempt" && a.ParentSpanId == root.SpanId).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("http_429", attempts[0].GetTagItem("llm_mux.outcome"));
        Assert.Equal("ok", attempts[1].GetTagItem("llm_mux.outcome"));
        Assert.StartsWith("up/key-", (string)attempts[0].GetTagItem("llm_mux.account")!, StringComparison.Ordinal);

        var everything = string.Join('\n', logs.Lines) + string.Join('\n', trace.SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}")));
        Assert.NotEmpty(logs.Lines);
        foreach (var secret in new[] { UpstreamKeyA, UpstreamKeyB, ClientKey, "AAAA", "BBBB", "CCCC" })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
