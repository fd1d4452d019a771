using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Accounts.Refresh;

namespace LlmMux.Gateway.Quota;

/// <summary>
/// How one provider type reports an account's quota windows: asked lazily (<see cref="ReadAsync"/>, on use and no
/// more often than needed) and, for free, from the headers of every answer (<see cref="FromHeaders"/>). A provider
/// type that reports nothing has no reader (<see cref="Providers.ProviderType.Quota"/> is null); learned limits stay
/// its fallback.
/// </summary>
public abstract class QuotaReader
{
    /// <summary>The largest quota answer read; anything longer is not a quota answer.</summary>
    private const int MaxAnswerBytes = 256 * 1024;

    /// <summary>Asks the provider for the account's windows now; null when it reported nothing usable.</summary>
    public abstract Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken);

    /// <summary>Windows an answer carries in its headers (plan headers, unified rate-limit headers); null when none.</summary>
    public virtual IReadOnlyList<QuotaWindow>? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now) => null;

    /// <summary>
    /// Sends <paramref name="request"/> and parses a JSON object answer; null for any non-2xx status (a 404 where the
    /// endpoint does not exist, a refused token), a non-JSON or oversized body.
    /// </summary>
    protected static async Task<JsonDocument?> SendForJsonAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxAnswerBytes)
        {
            return null;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (bytes.Length > MaxAnswerBytes)
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A number property (or a number written as a string); null when absent or not a number.</summary>
    protected static double? Number(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    /// <summary>An ISO 8601 time property; null when absent or unreadable.</summary>
    protected static DateTimeOffset? Time(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    /// <summary>A header's single numeric value; null when absent or not a number.</summary>
    protected static double? HeaderNumber(HttpResponseHeaders headers, string name) =>
        headers is not null && headers.TryGetValues(name, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : null;

    /// <summary>A used fraction clamped to 0–1 from a percentage (0–100).</summary>
    protected static double FromPercent(double percent) => Math.Clamp(percent / 100, 0, 1);

    /// <summary>A conventional window name for a length: <c>five-hour</c>, <c>weekly</c>, <c>daily</c>, else <paramref name="fallback"/>.</summary>
    protected static string NameFor(TimeSpan? length, string fallback) => length?.TotalMinutes switch
    {
        300 => "five-hour",
        1440 => "daily",
        10080 => "weekly",
        _ => fallback,
    };
}

/// <summary>What a <see cref="QuotaReader"/> gets to ask with: the account's token and the provider's base URL (a fake in tests).</summary>
public sealed record QuotaReadContext(HttpClient Http, UpstreamCredential Credential, string BaseUrl, DateTimeOffset Now)
{
    /// <summary>The login's endpoints as configured (a reader whose quota lives beside the login's API, Copilot's on GitHub's); null for key-based types.</summary>
    public LlmMux.Accounts.OAuth.OAuthSettings? Login { get; init; }
}
