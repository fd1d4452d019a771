using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Accounts.Providers.Copilot;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Copilot;

/// <summary>
/// A Copilot seat's windows: GitHub's <c>GET /copilot_internal/user</c> (beside the login's
/// <c>copilot-token-url</c>, with the GitHub token) answers <c>quota_snapshots</c> — <c>premium_interactions</c> (premium
/// requests, or the credits that replaced them in June 2026), <c>chat</c>, <c>completions</c> — each with
/// <c>percent_remaining</c>, <c>unlimited</c> and <c>overage_permitted</c>, and one <c>quota_reset_date</c>.
/// </summary>
internal sealed class CopilotQuotaReader : QuotaReader
{
    public static CopilotQuotaReader Instance { get; } = new();

    private const string TokenUrlKey = "copilot-token-url";
    private const string DefaultTokenUrl = "https://api.github.com/copilot_internal/v2/token";
    private const string TokenPath = "/copilot_internal/v2/token";

    public override async Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Credential.Details is not CopilotDetails { GitHubToken: { Length: > 0 } gitHubToken })
        {
            return null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, SnapshotUrl(context));
        request.Headers.Authorization = new AuthenticationHeaderValue("token", gitHubToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in CopilotIdentity.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var answer = await SendForJsonAsync(context.Http, request, cancellationToken).ConfigureAwait(false);
        if (answer is null || !answer.RootElement.TryGetProperty("quota_snapshots", out var snapshots) || snapshots.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var resetsAt = Time(answer.RootElement, "quota_reset_date_utc") ?? Time(answer.RootElement, "quota_reset_date");
        var windows = new List<QuotaWindow>();
        foreach (var snapshot in snapshots.EnumerateObject())
        {
            if (snapshot.Value.ValueKind != JsonValueKind.Object || Flag(snapshot.Value, "unlimited") || Number(snapshot.Value, "percent_remaining") is not { } remaining)
            {
                continue;
            }

            windows.Add(new QuotaWindow(NameOf(snapshot.Name), FromPercent(100 - remaining), resetsAt, Governs(snapshot.Name, snapshot.Value)));
        }

        return windows;
    }

    // The snapshot is GitHub's, beside the token exchange (copilot_internal/v2/token), not on the Copilot API the requests go to.
    private static string SnapshotUrl(QuotaReadContext context)
    {
        var exchange = context.Login is { } login && login.Endpoints.TryGetValue(TokenUrlKey, out var configured) && configured.Length > 0
            ? configured
            : DefaultTokenUrl;
        var trimmed = exchange.TrimEnd('/');
        var root = trimmed.EndsWith(TokenPath, StringComparison.Ordinal) ? trimmed[..^TokenPath.Length] : new Uri(trimmed).GetLeftPart(UriPartial.Authority);
        return root + "/copilot_internal/user";
    }

    private static string NameOf(string snapshot) => snapshot switch
    {
        "premium_interactions" => "premium",
        _ => snapshot.Replace('_', '-').ToLowerInvariant(),
    };

    /// <summary>
    /// Which models a snapshot holds back when spent. Premium requests (credits) and chat govern the whole seat — unless
    /// the seat may run over (<c>overage_permitted</c>: GitHub bills it and keeps serving), when the window is shown and
    /// routes nothing (an empty list); editor completions are not served through llm-mux, so they route nothing either.
    /// </summary>
    private static IReadOnlyList<string>? Governs(string snapshot, JsonElement value) =>
        snapshot == "completions" || Flag(value, "overage_permitted") ? [] : null;

    private static bool Flag(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;
}
