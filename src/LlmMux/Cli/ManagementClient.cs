using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// Reads a running gateway's management API for the CLI. The URL is <c>--url</c> or the config's host and port; the
/// secret is <c>--secret</c> or <c>$LLM_MUX_MANAGEMENT_KEY</c> (the config holds only its hash, which cannot sign in).
/// </summary>
internal sealed class ManagementClient(HttpClient http, string baseUrl, string? secret) : IDisposable
{
    public const string SecretVariable = "LLM_MUX_MANAGEMENT_KEY";

    public string BaseUrl { get; } = baseUrl;

    public static ManagementClient Create(string? url, string? secret, string? config, Func<string, string?> getVariable, TimeSpan timeout)
    {
        var options = ConfigLocator.Load(ConfigLocator.Locate(config, getVariable), getVariable);
        var baseUrl = (url ?? ConnectCommand.DefaultUrl(options)).TrimEnd('/');
        var given = secret ?? getVariable(SecretVariable);
        if (string.IsNullOrEmpty(given) && !LlmMux.Gateway.Management.ManagementSecret.IsHashed(options.Management.SecretKey))
        {
            given = options.Management.SecretKey; // a plaintext secret the gateway has not hashed yet
        }

        return new ManagementClient(new HttpClient { Timeout = timeout }, baseUrl, string.IsNullOrEmpty(given) ? null : given);
    }

    /// <summary>The JSON of <c>GET /v0/management/{path}</c>, or throws <see cref="ManagementException"/> saying in plain words why not.</summary>
    public async Task<JsonDocument> GetAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl}/v0/management/{path}");
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new ManagementException($"no gateway answers at {BaseUrl} ({Reason(e)}); is `llm-mux serve` running? (--url picks another address)");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    try
                    {
                        return JsonDocument.Parse(body);
                    }
                    catch (JsonException)
                    {
                        throw new ManagementException($"{BaseUrl} answered {path} with something that is not JSON; is it llm-mux?");
                    }

                case HttpStatusCode.Unauthorized:
                    throw new ManagementException(secret is null
                        ? $"the gateway at {BaseUrl} needs the management secret: pass --secret or set {SecretVariable}"
                        : $"the gateway at {BaseUrl} refused the management secret (from --secret or {SecretVariable})");
                case HttpStatusCode.NotFound:
                    throw new ManagementException($"the gateway at {BaseUrl} has management off (management.secret-key is empty in its config)");
                case HttpStatusCode.Forbidden:
                    throw new ManagementException($"the gateway at {BaseUrl} serves management to loopback callers only (management.allow-remote: false)");
                case HttpStatusCode.TooManyRequests:
                    throw new ManagementException($"the gateway at {BaseUrl} locked this address out after wrong secrets; wait {response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60} s");
                default:
                    throw new ManagementException($"the gateway at {BaseUrl} answered {path} with HTTP {(int)response.StatusCode}");
            }
        }
    }

    internal static string Reason(Exception e) => e switch
    {
        TaskCanceledException => "timed out",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection refused",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "name not resolved",
        _ => e.Message,
    };

    public void Dispose() => http.Dispose();
}

/// <summary>A management call that failed, with the message for the user.</summary>
internal sealed class ManagementException : Exception
{
    public ManagementException(string message) : base(message) { }

    public ManagementException() : this("management call failed") { }

    public ManagementException(string message, Exception innerException) : base(message, innerException) { }
}
