using System.Globalization;
using System.Text.Json;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux status</c>: a running gateway's accounts (state, cooldowns, in-flight, quota windows) and its recent
/// failovers, read from the management API (<see cref="ManagementClient"/>) and printed as tables. Never prints a key.
/// </summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(StatusFlags flags, Func<string, string?> getVariable, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = ManagementClient.Create(flags.Url, flags.Secret, flags.Config, getVariable, TimeSpan.FromSeconds(10));
        JsonDocument accounts, requests;
        try
        {
            accounts = await client.GetAsync("accounts", ct).ConfigureAwait(false);
            requests = await client.GetAsync("requests?limit=500", ct).ConfigureAwait(false);
        }
        catch (ManagementException e)
        {
            await error.WriteLineAsync($"llm-mux status: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using (accounts)
        using (requests)
        {
            if (flags.Json)
            {
                WriteJson(client.BaseUrl, accounts.RootElement, requests.RootElement, output);
                return 0;
            }

            var now = DateTimeOffset.UtcNow;
            output.WriteLine($"llm-mux at {client.BaseUrl}");
            output.WriteLine();
            WriteAccounts(accounts.RootElement, now, output);
            output.WriteLine();
            WriteFailovers(requests.RootElement, output);
        }

        return 0;
    }

    /// <summary>
    /// <c>{"url", "accounts", "failovers"}</c>: each account and each request that moved on from an attempt (its
    /// <c>chain</c> holds more than one), as <c>GET /v0/management/accounts</c> and <c>/requests</c> give them — the
    /// same facts the tables show, with times in UTC (ISO 8601) for scripts. The API returns no key or token.
    /// </summary>
    private static void WriteJson(string url, JsonElement accounts, JsonElement requests, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("url", url);
            w.WriteStartArray("accounts");
            foreach (var account in Items(accounts))
            {
                account.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteStartArray("failovers");
            foreach (var record in Items(requests).Where(IsFailover))
            {
                record.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static List<JsonElement> Items(JsonElement list) => list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray()] : [];

    private static bool IsFailover(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("chain", out var chain) && chain.ValueKind == JsonValueKind.Array && chain.GetArrayLength() >= 2;

    private static void WriteAccounts(JsonElement accounts, DateTimeOffset now, TextWriter output)
    {
        var rows = accounts.ValueKind == JsonValueKind.Array
            ? accounts.EnumerateArray().Select(a => new[]
            {
                Text(a, "id"), Text(a, "provider"), Text(a, "state"), Cooldowns(a, now),
                a.TryGetProperty("in_flight", out var f) && f.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : "0",
                Quota(a, now),
            }).ToList()
            : [];
        if (rows.Count == 0)
        {
            output.WriteLine("Accounts: none (add a provider with api-keys, or `llm-mux login <provider>`).");
            return;
        }

        output.WriteLine("Accounts:");
        TextTable.Write(output, ["ID", "PROVIDER", "STATE", "COOLDOWN", "IN-FLIGHT", "QUOTA"], rows);
    }

    /// <summary>Requests that moved on from at least one attempt, newest first; each attempt as provider, account, status and why.</summary>
    private static void WriteFailovers(JsonElement requests, TextWriter output)
    {
        var rows = new List<string[]>();
        foreach (var record in requests.ValueKind == JsonValueKind.Array ? requests.EnumerateArray().ToList() : [])
        {
            if (!IsFailover(record))
            {
                continue;
            }

            var attempts = record.GetProperty("chain").EnumerateArray().Select(step =>
            {
                var status = step.TryGetProperty("status", out var s) && s.TryGetInt32(out var code) ? code : 0;
                var reason = Text(step, "reason");
                return $"{Text(step, "provider")} {Text(step, "account")} {(status == 0 ? "no answer" : status.ToString(CultureInfo.InvariantCulture))}"
                    + (reason == "-" ? "" : $" ({reason})");
            });
            rows.Add([Time(record), Text(record, "model"), string.Join(" -> ", attempts)]);
        }

        if (rows.Count == 0)
        {
            output.WriteLine("Recent failovers: none.");
            return;
        }

        output.WriteLine("Recent failovers:");
        TextTable.Write(output, ["TIME", "MODEL", "ATTEMPTS (provider account status (reason))"], rows);
    }

    /// <summary><c>until 14:05:00 (59m)</c> for the account, then <c>model until … (…)</c> for each model; <c>-</c> when none runs.</summary>
    private static string Cooldowns(JsonElement account, DateTimeOffset now)
    {
        var parts = new List<string>();
        if (Date(account, "cooldown_until") is { } until && until > now)
        {
            parts.Add(Until(until, now));
        }

        if (account.TryGetProperty("model_cooldowns", out var models) && models.ValueKind == JsonValueKind.Object)
        {
            foreach (var model in models.EnumerateObject())
            {
                if (model.Value.ValueKind == JsonValueKind.String && model.Value.TryGetDateTimeOffset(out var at) && at > now)
                {
                    parts.Add($"{model.Name} {Until(at, now)}");
                }
            }
        }

        return parts.Count > 0 ? string.Join(", ", parts) : "-";
    }

    private static string Quota(JsonElement account, DateTimeOffset now)
    {
        if (!account.TryGetProperty("quota", out var quota) || quota.ValueKind != JsonValueKind.Array)
        {
            return "-";
        }

        var windows = quota.EnumerateArray().Select(w =>
        {
            var used = w.TryGetProperty("used", out var u) && u.TryGetDouble(out var fraction) ? fraction : 0;
            var text = string.Create(CultureInfo.InvariantCulture, $"{Text(w, "window")} {Math.Round(used * 100)}% used");
            return Date(w, "resets_at") is { } reset ? $"{text}, resets {Until(reset, now)}" : text;
        }).ToList();
        return windows.Count > 0 ? string.Join("; ", windows) : "-";
    }

    private static string Until(DateTimeOffset at, DateTimeOffset now) =>
        $"until {at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} ({AccountsCommand.Until(at - now)})";

    private static string Time(JsonElement record) =>
        Date(record, "time") is { } at ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static DateTimeOffset? Date(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var at) ? at : null;

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : "-";
}
