using System.Globalization;
using System.Text.Json;
using static LlmMux.Cli.DoctorJson;

namespace LlmMux.Cli;

/// <summary>
/// With a management secret, <c>doctor</c> also reads the running gateway's own view of each account
/// (<c>GET /v0/management/accounts</c>): its state, its last error and how its last token refresh went. Reading it
/// refreshes nothing, so no rotating refresh token is spent.
/// </summary>
internal static class DoctorGatewayAccounts
{
    public static async Task<IReadOnlyList<DoctorCheck>> CheckAsync(string? url, string secret, string? config, Func<string, string?> getVariable, CancellationToken ct)
    {
        using var client = ManagementClient.Create(url, secret, config, getVariable, TimeSpan.FromSeconds(10));
        JsonDocument accounts;
        try
        {
            accounts = await client.GetAsync("accounts", ct).ConfigureAwait(false);
        }
        catch (ManagementException e)
        {
            return [DoctorCheck.Warn("gateway accounts", $"not read: {e.Message}")];
        }

        using (accounts)
        {
            var rows = accounts.RootElement.ValueKind == JsonValueKind.Array ? accounts.RootElement.EnumerateArray().Select(Check).ToList() : [];
            return rows.Count > 0 ? rows : [DoctorCheck.Warn("gateway accounts", $"the gateway at {client.BaseUrl} serves no account")];
        }
    }

    private static DoctorCheck Check(JsonElement account)
    {
        var subject = $"gateway account {Str(account, "id") ?? "?"}";
        var state = Str(account, "state") ?? "unknown";
        var refresh = Get(account, "refresh");
        if (Str(refresh, "last_failure") is { } failure)
        {
            var inARow = Get(refresh, "consecutive_failures") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var count) && count > 1 ? $" ({count} in a row)" : "";
            var next = Time(refresh, "next_retry_at") is { } retry ? $"; it tries again at {retry}" : "";
            return DoctorCheck.Fail(subject, $"{state} on the gateway; its last token refresh{At(refresh, "failed_at")} failed: {failure.TrimEnd('.')}{inARow}{next}");
        }

        var refreshed = Time(refresh, "last_success_at") is { } success ? $", token last refreshed at {success}" : "";
        return state == "ready"
            ? DoctorCheck.Ok(subject, $"ready on the gateway{refreshed}")
            : DoctorCheck.Warn(subject, $"{state} on the gateway{(Str(account, "last_error") is { } error ? ": " + error : "")}{refreshed}");
    }

    private static string At(JsonElement element, string name) => Time(element, name) is { } at ? $" at {at}" : "";

    private static string? Time(JsonElement element, string name) =>
        Get(element, name) is { ValueKind: JsonValueKind.String } value && value.TryGetDateTimeOffset(out var at)
            ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : null;
}
