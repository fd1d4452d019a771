using LlmMux.Gateway.Health;
using LlmMux.Gateway.Management;

namespace LlmMux.Gateway.Telemetry;

/// <summary>
/// Where a finished request's usage goes: token metrics, the account's token count, the usage ledger and the request
/// log, all attributed to the account that answered (the last attempt's).
/// </summary>
internal sealed class UsageRecorder(GatewayMetrics metrics, AccountStateStore accounts, UsageLedger ledger, RequestLog requestLog)
{
    public void Record(FinishedRequest request)
    {
        long input = request.Usage?.InputTokens ?? 0, output = request.Usage?.OutputTokens ?? 0;
        if (request.Provider is { } provider && request.Account is { } account && request.Status < 400)
        {
            metrics.Tokens(provider, request.ModelLabel, input, output);
            accounts.TokensUsed(account, input + output);
            ledger.Record(DateTimeOffset.UtcNow, provider, account, request.ModelLabel, input, output, request.ClientKey);
        }

        requestLog.Add(new RequestRecord(DateTimeOffset.UtcNow, request.Dialect, request.Model, request.Provider, request.Account,
            request.Status, request.Attempts, request.Elapsed.TotalMilliseconds, input, output, request.Usage?.Estimated ?? false)
        {
            Client = request.Attribution.Client,
            Session = request.Attribution.Session,
            ClientKey = request.ClientKey,
            Chain = request.Chain,
            FirstByteMs = request.FirstByte is { } first ? Math.Round(first.TotalMilliseconds, 1) : null,
        });
    }
}
