using System.Net;
using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Tests.Infrastructure;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmMux.Accounts.Tests.Faults;

/// <summary>C1: a token endpoint that hangs or fails oddly gives a transient, backed-off failure — never a raw exception.</summary>
public sealed class HangingTokenEndpointTests : IAsyncLifetime
{
    private FaultFixture _f = null!;

    public async Task InitializeAsync() => _f = await FaultFixture.StartAsync(attemptTimeout: TimeSpan.FromMilliseconds(300));

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_hanging_endpoint_behind_the_resilience_pipeline_is_a_transient_failure_with_a_back_off()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        _f.Hang();
        using var h = _f.Open();

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(FaultFixture.Id, default).AsTask());

        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.False(error.IsPermanent);
        var status = h.Service.GetRefreshStatus(FaultFixture.Id)!;
        Assert.Contains("timed out", status.LastFailure, StringComparison.Ordinal);
        Assert.Equal(_f.Time.GetUtcNow(), status.FailedAt);
        Assert.Equal(_f.Time.GetUtcNow().AddSeconds(30), status.NextRetryAt);
        Assert.Equal(1, status.ConsecutiveFailures);

        // Within the back-off the endpoint is not called again; the caller fails over at once.
        var again = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(FaultFixture.Id, default).AsTask());
        Assert.Equal(AccountUnavailableReason.RefreshFailed, again.Reason);
        Assert.Equal(1, _f.Fake.Count("/token"));
    }

    [Fact]
    public async Task The_background_pass_survives_failures_and_backs_off_exponentially_until_the_endpoint_recovers()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        var endpoint = new ScriptedHandler();
        using var http = new HttpClient(endpoint);
        using var h = _f.Open(http: http);

        Assert.Equal(0, await h.Service.RefreshDueAsync());
        Assert.Equal(1, h.Service.GetRefreshStatus(FaultFixture.Id)!.ConsecutiveFailures);

        // Backing off: the next pass leaves the account alone.
        Assert.Equal(0, await h.Service.RefreshDueAsync());
        Assert.Equal(1, endpoint.Calls);

        _f.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, await h.Service.RefreshDueAsync());
        var second = h.Service.GetRefreshStatus(FaultFixture.Id)!;
        Assert.Equal(2, second.ConsecutiveFailures);
        Assert.Equal(_f.Time.GetUtcNow().AddSeconds(60), second.NextRetryAt);

        // Doubling stops at ten minutes.
        for (var i = 0; i < 6; i++)
        {
            _f.Time.Advance(h.Service.GetRefreshStatus(FaultFixture.Id)!.NextRetryAt!.Value - _f.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
            await h.Service.RefreshDueAsync();
        }

        Assert.Equal(_f.Time.GetUtcNow().AddMinutes(10), h.Service.GetRefreshStatus(FaultFixture.Id)!.NextRetryAt);

        // The endpoint recovers: the next attempt succeeds and the back-off is reset.
        endpoint.Failing = false;
        _f.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await h.Service.RefreshDueAsync());
        var healthy = h.Service.GetRefreshStatus(FaultFixture.Id)!;
        Assert.Null(healthy.LastFailure);
        Assert.Null(healthy.NextRetryAt);
        Assert.Equal(0, healthy.ConsecutiveFailures);
        Assert.Equal(_f.Time.GetUtcNow(), healthy.LastSuccessAt);
        Assert.Equal("at-1", (await h.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
    }

    [Fact]
    public async Task RunAsync_keeps_running_through_failing_passes_and_ends_only_when_cancelled()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        using var http = new HttpClient(new ThrowingHandler(() => new BrokenCircuitException("open")));
        using var h = _f.Open(http: http);
        using var cts = new CancellationTokenSource();

        var loop = h.Service.RunAsync(cts.Token);
        await TokenEndpoints.WaitUntil(() => h.Service.GetRefreshStatus(FaultFixture.Id)?.ConsecutiveFailures >= 3);
        Assert.False(loop.IsCompleted);
        await cts.CancelAsync();

        await loop; // returns, does not throw
    }

    public static TheoryData<string> Faults() => ["timeout", "circuit", "io", "socket", "unexpected", "body"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_kind_of_send_or_read_failure_becomes_a_transient_refresh_failure(string fault)
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(-1));
        Func<Exception> make = fault switch
        {
            "timeout" => () => new TimeoutRejectedException("attempt timed out"),
            "circuit" => () => new BrokenCircuitException("open"),
            "io" => () => new IOException("reset"),
            "socket" => () => new HttpRequestException(HttpRequestError.ConnectionError, "refused"),
            _ => () => new InvalidCastException("a bug somewhere below"),
        };
        using var http = new HttpClient(fault == "body" ? new BrokenBodyHandler() : new ThrowingHandler(make));
        var logger = new CapturingLogger<CredentialService>();
        using var h = _f.Open(logger: logger, http: http);

        var error = await Assert.ThrowsAsync<AccountUnavailableException>(() => h.Service.GetAsync(FaultFixture.Id, default).AsTask());

        Assert.Equal(AccountUnavailableReason.RefreshFailed, error.Reason);
        Assert.NotNull(h.Service.GetRefreshStatus(FaultFixture.Id)!.NextRetryAt);
        Assert.DoesNotContain("rt-0", logger.All, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-0", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_still_valid_token_keeps_being_served_while_the_endpoint_hangs()
    {
        _f.WriteClaude("at-0", "rt-0", TimeSpan.FromMinutes(3));
        _f.Hang();
        using var h = _f.Open();

        Assert.Equal("at-0", (await h.Service.GetAsync(FaultFixture.Id, default)).AccessToken);
        Assert.Equal(1, h.Service.GetRefreshStatus(FaultFixture.Id)!.ConsecutiveFailures);
    }

    /// <summary>Times out (as Polly reports it) while <see cref="Failing"/>; then answers with a new grant.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private int _calls;

        public bool Failing { get; set; } = true;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Failing
                ? Task.FromException<HttpResponseMessage>(new TimeoutRejectedException("attempt timed out"))
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"access_token":"at-1","refresh_token":"rt-1","expires_in":28800}""", System.Text.Encoding.UTF8, "application/json"),
                });
        }
    }

    private sealed class ThrowingHandler(Func<Exception> fault) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(fault());
    }

    /// <summary>Headers arrive, then the body breaks off.</summary>
    private sealed class BrokenBodyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BrokenStream()) });
    }

    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("connection reset");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("connection reset"));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
