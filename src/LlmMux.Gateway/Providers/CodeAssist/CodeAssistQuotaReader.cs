using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmMux.Accounts.Providers.Gemini;
using LlmMux.Gateway.Quota;

namespace LlmMux.Gateway.Providers.CodeAssist;

/// <summary>
/// A Code Assist account's windows: <c>POST /v1internal:retrieveUserQuota</c> with <c>{"project": id}</c> answers
/// <c>buckets</c> of <c>{remainingFraction, resetTime, modelId, tokenType}</c>: one window per model.
/// </summary>
internal sealed class CodeAssistQuotaReader : QuotaReader
{
    public static CodeAssistQuotaReader Instance { get; } = new();

    public override async Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Credential.Details is not GeminiDetails { ProjectId: { Length: > 0 } project })
        {
            return null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, context.BaseUrl.TrimEnd('/') + "/v1internal:retrieveUserQuota");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Credential.AccessToken);
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("project", project);
            writer.WriteEndObject();
        }

        request.Content = new StringContent(Encoding.UTF8.GetString(body.ToArray()), Encoding.UTF8, "application/json");
        using var answer = await SendForJsonAsync(context.Http, request, cancellationToken).ConfigureAwait(false);
        if (answer is null || !answer.RootElement.TryGetProperty("buckets", out var buckets) || buckets.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var windows = new List<QuotaWindow>();
        foreach (var bucket in buckets.EnumerateArray())
        {
            if (bucket.ValueKind != JsonValueKind.Object || !bucket.TryGetProperty("modelId", out var id) || id.GetString() is not { Length: > 0 } model
                || Number(bucket, "remainingFraction") is not { } remaining)
            {
                continue;
            }

            var tokenType = bucket.TryGetProperty("tokenType", out var type) ? type.GetString() : null;
            var name = tokenType is null or "REQUESTS" ? model : $"{model}-{tokenType.ToLowerInvariant()}";
            windows.Add(new QuotaWindow(name, Math.Clamp(1 - remaining, 0, 1), Time(bucket, "resetTime"), [model]));
        }

        return windows;
    }
}
