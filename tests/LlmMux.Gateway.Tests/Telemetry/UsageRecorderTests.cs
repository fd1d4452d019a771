using System.Diagnostics.Metrics;
using LlmMux.Gateway.Health;
using LlmMux.Gateway.Management;
using LlmMux.Gateway.Telemetry;
using LlmMux.Translation.Ir;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Tests.Telemetry;

/// <summary>Usage is counted for the account that answered, only for answers the client got; every request is logged.</summary>
public sealed class UsageRecorderTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly AccountStateStore _accounts = new(TimeProvider.System);
    private readonly UsageLedger _ledger = new(null, NullLogger<UsageLedger>.Instance);
    private readonly RequestLog _log = new();
    private readonly UsageRecorder _recorder;

    public UsageRecorderTests()
        => _recorder = new UsageRecorder(new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), _accounts), _accounts, _ledger, _log);

    public void Dispose()
    {
        _ledger.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void An_answered_request_counts_its_tokens_for_the_account_and_client_key_and_is_logged()
    {
        _recorder.Record(new FinishedRequest("OpenAIChat", "alias", "alias", "p", "p/key-1", 200, 2, TimeSpan.FromMilliseconds(12), new IrUsage(3, 2), ClientKey: "key-1a2b3c4d"));

        var row = Assert.Single(_ledger.Rows());
        Assert.Equal(("p", "p/key-1", "alias", 1L, 3L, 2L, "key-1a2b3c4d"), (row.Provider, row.Account, row.Model, row.Requests, row.InputTokens, row.OutputTokens, row.ClientKey));
        Assert.Equal(5, _accounts.Status("p/key-1").TokensLastDay);
        var record = Assert.Single(_log.Recent(10));
        Assert.Equal((200, 2, 3L, 2L, "p/key-1"), (record.Status, record.Attempts, record.InputTokens, record.OutputTokens, record.Account));
    }

    [Theory]
    [InlineData(502, "p", "p/key-1")]
    [InlineData(200, null, null)]
    [InlineData(200, "p", null)]
    public void A_failed_or_unattributed_request_is_logged_but_counts_no_usage(int status, string? provider, string? account)
    {
        _recorder.Record(new FinishedRequest("Anthropic", "m", "m", provider, account, status, 1, TimeSpan.Zero, new IrUsage(3, 2)));

        Assert.Empty(_ledger.Rows());
        Assert.Equal(status, Assert.Single(_log.Recent(10)).Status);
    }
}
