using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmMux.Accounts.OAuth;

/// <summary>HTTP helpers for token endpoints. Errors become <see cref="OAuthException"/> without any body text.</summary>
internal static class OAuthHttp
{
    public static Task<JsonElement> PostFormAsync(HttpClient http, string url, IEnumerable<KeyValuePair<string, string>> form, string step, Action<HttpRequestHeaders>? headers, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        headers?.Invoke(request.Headers);
        return SendAsync(http, request, step, ct);
    }

    public static Task<JsonElement> PostJsonAsync(HttpClient http, string url, JsonObject body, string step, Action<HttpRequestHeaders>? headers, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        headers?.Invoke(request.Headers);
        return SendAsync(http, request, step, ct);
    }

    public static Task<JsonElement> GetAsync(HttpClient http, string url, string step, Action<HttpRequestHeaders> headers, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        headers(request.Headers);
        return SendAsync(http, request, step, ct);
    }

    /// <summary>Sends, and returns the JSON body of a 2xx answer; anything else throws <see cref="OAuthException"/>.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request, string step, CancellationToken ct)
    {
        using (request)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransport(e, ct))
            {
                throw Transient(step, e);
            }

            using (response)
            {
                byte[] bytes;
                try
                {
                    bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransport(e, ct))
                {
                    throw Transient(step, e);
                }

                JsonElement? json = null;
                try
                {
                    using var document = JsonDocument.Parse(bytes);
                    json = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                }

                var status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    var error = json is { } j ? ErrorCode(j) : null;
                    throw new OAuthException(
                        error is null ? $"{step}: HTTP {status}." : $"{step}: HTTP {status} ({error}).",
                        status,
                        error);
                }

                return json ?? throw new OAuthException($"{step}: HTTP {status} without a JSON body.", status, null);
            }
        }
    }

    /// <summary>
    /// Anything but the caller's own cancellation: the resilience handler's timeouts and open circuit (Polly's
    /// <c>ExecutionRejectedException</c>s), HttpClient's own timeout, socket and stream errors. None of them may escape
    /// as a raw exception: the background refresh would fault its host, the request path would answer 500.
    /// </summary>
    private static bool IsTransport(Exception e, CancellationToken ct) => e is not OperationCanceledException || !ct.IsCancellationRequested;

    /// <summary>A failure with no answer (status null): transient, retried after the back-off. Names the kind, not its text.</summary>
    private static OAuthException Transient(string step, Exception e) => e switch
    {
        HttpRequestException h => new OAuthException($"{step}: the request failed ({h.HttpRequestError}).", e),
        OperationCanceledException or TimeoutRejectedException => new OAuthException($"{step}: the request timed out.", e),
        BrokenCircuitException => new OAuthException($"{step}: the endpoint failed repeatedly; not calling it for a while.", e),
        _ => new OAuthException($"{step}: the request failed ({e.GetType().Name}).", e),
    };

    /// <summary>The short OAuth error code of an error body (<c>error</c>, or <c>error.type</c>/<c>error.code</c>).</summary>
    public static string? ErrorCode(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("error", out var error))
        {
            return null;
        }

        var code = error.ValueKind switch
        {
            JsonValueKind.String => error.GetString(),
            JsonValueKind.Object => String(error, "code") ?? String(error, "type"),
            _ => null,
        };
        return code is not null && IsSafeCode(code) ? code : code is null ? null : "unrecognised_error";
    }

    public static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Int64(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var n) => n,
            // Fractions and numbers beyond long: saturate, so a hostile value is clamped where it is used, never thrown.
            JsonValueKind.Number when v.TryGetDouble(out var d) => d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d,
            JsonValueKind.String when long.TryParse(v.GetString(), out var n) => n,
            _ => null,
        };
    }

    /// <summary>
    /// A positive number of seconds from an answer, at most <paramref name="max"/>; null when absent or not positive.
    /// Answers come from the network, so a huge value is clamped rather than left to overflow a clock or a TimeSpan.
    /// </summary>
    public static TimeSpan? Seconds(long? value, TimeSpan max) =>
        value is > 0 and var s ? s >= max.TotalSeconds ? max : TimeSpan.FromSeconds(s) : null;

    public static string Required(JsonElement obj, string name, string step) =>
        String(obj, name) is { Length: > 0 } value ? value : throw new OAuthException($"{step}: the answer has no \"{name}\".");

    private static bool IsSafeCode(string code) =>
        code.Length is > 0 and <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
