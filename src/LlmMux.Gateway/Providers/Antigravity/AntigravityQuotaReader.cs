using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmMux.Accounts.Providers.Antigravity;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.Antigravity;

/// <summary>
/// Reads an Antigravity account's quota from <c>POST {base}/v1internal:fetchAvailableModels</c>, whose
/// <c>models</c> map gives each model a <c>quotaInfo {remainingFraction, resetTime}</c>. Models of one family share
/// their quota (<see cref="AntigravityQuotaGroups"/>), so the answer is one window per family, named after it,
/// governing the family's models, as spent as its most spent model. Internal models (<c>chat_…</c>, <c>tab_…</c>)
/// are left out. A reset days away is kept as given.
/// </summary>
internal sealed class AntigravityQuotaReader : QuotaReader
{
    public static readonly AntigravityQuotaReader Instance = new();

    /// <summary>The most of an answer read: the model list is a few KiB.</summary>
    private const int MaxBodyBytes = 1 << 20;

    public override async Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var request = new HttpRequestMessage(HttpMethod.Post, context.BaseUrl.TrimEnd('/') + "/v1internal:fetchAvailableModels");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Credential.AccessToken);
        foreach (var (name, value) in AntigravityIdentity.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var project = (context.Credential.Details as AntigravityDetails)?.ProjectId;
        var body = project is null ? "{}" : "{\"project\":\"" + JsonEncodedText.Encode(project) + "\"}";
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var bytes = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Parse(bytes);
    }

    /// <summary>The windows of a <c>fetchAvailableModels</c> answer; null when it has no quota to report or is not one.</summary>
    internal static IReadOnlyList<QuotaWindow>? Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var families = new Dictionary<string, (double Used, DateTimeOffset? ResetsAt, List<string> Models)>(StringComparer.Ordinal);
            foreach (var model in models.EnumerateObject())
            {
                if (model.Name.StartsWith("chat_", StringComparison.Ordinal) || model.Name.StartsWith("tab_", StringComparison.Ordinal)
                    || model.Value.ValueKind != JsonValueKind.Object
                    || !model.Value.TryGetProperty("quotaInfo", out var quota) || quota.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                // An exhausted model's quotaInfo carries only its resetTime: no remaining fraction is none left.
                var remaining = quota.TryGetProperty("remainingFraction", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetDouble(out var value)
                    ? Math.Clamp(value, 0, 1)
                    : 0;
                var resetsAt = quota.TryGetProperty("resetTime", out var t) && t.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : (DateTimeOffset?)null;
                var used = 1 - remaining;
                var group = AntigravityQuotaGroups.Of(model.Name);
                if (!families.TryGetValue(group, out var family))
                {
                    families[group] = (used, resetsAt, [model.Name]);
                    continue;
                }

                family.Models.Add(model.Name);
                families[group] = used > family.Used ? (used, resetsAt ?? family.ResetsAt, family.Models) : (family.Used, family.ResetsAt ?? resetsAt, family.Models);
            }

            return families.Count == 0
                ? null
                : families.OrderBy(f => f.Key, StringComparer.Ordinal)
                    .Select(f => new QuotaWindow(f.Key, f.Value.Used, f.Value.ResetsAt, f.Value.Models.Order(StringComparer.Ordinal).ToList()))
                    .ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
