namespace LlmMux.Gateway.Errors;

/// <summary>An error the gateway itself answers, before it is rendered in the caller's dialect.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">Machine-readable reason, stable across dialects (e.g. <c>model_not_found</c>).</param>
/// <param name="Message">Human-readable text; never contains a key or token.</param>
public sealed record ApiError(int Status, string Code, string Message)
{
    public static ApiError InvalidJson(string detail) => new(400, "invalid_json", $"The request body is not valid JSON: {detail}");

    public static ApiError InvalidRequest(string detail) => new(400, "invalid_request", $"The request cannot be translated: {detail}");

    public static ApiError MissingModel() => new(400, "missing_model", "The request body has no 'model' field.");

    public static ApiError ModelNotFound(string model) => new(404, "model_not_found",
        $"The model '{Truncate(model)}' is not served by any configured provider. GET /v1/models lists the models llm-mux can route, and `llm-mux models` shows the provider chain of each.");

    public static ApiError BodyTooLarge(long limitBytes) => new(413, "request_too_large",
        $"The request body is larger than the limit of {limitBytes / (1024 * 1024)} MiB (limits.max-request-body-mb).");

    public static ApiError MissingKey() => new(401, "invalid_api_key",
        "No API key was given. Send one of the configured api-keys as 'Authorization: Bearer <key>', 'x-llm-mux-key', 'x-api-key', 'x-goog-api-key' or '?key='.");

    public static ApiError PassThroughMissing(string provider) => new(401, "pass_through_credential_missing",
        $"Provider '{provider}' uses your own login (credentials: pass-through), and this request carries none: send it as 'Authorization: Bearer <token>' and your llm-mux key as 'x-llm-mux-key'.");

    public static ApiError PassThroughRejected(string provider, int status, string upstreamSaid) => new(401, "pass_through_rejected",
        $"The upstream of provider '{provider}' refused your own login (HTTP {status}); llm-mux passed it through unchanged and cannot refresh it: sign in again in your client.{upstreamSaid}");

    public static ApiError LoginWithoutKey() => new(401, "invalid_api_key",
        "The Authorization header holds an upstream login, not an llm-mux key: send one of the configured api-keys as 'x-llm-mux-key' (or 'x-api-key').");

    public static ApiError WrongKey() => new(401, "invalid_api_key", "The API key is not one of the configured api-keys.");

    public static ApiError RemoteNeedsKey() => new(403, "permission_denied",
        "llm-mux has no api-keys configured, so only loopback clients may connect. Set api-keys (or allow-unauthenticated-remote: true).");

    public static ApiError ForwardedNeedsKey() => new(403, "permission_denied",
        "This request came through a proxy or tunnel (it carries Forwarded, X-Forwarded-For or Via), so it is not treated as local. " +
        "Set api-keys and send one (or allow-unauthenticated-remote: true).");

    public static ApiError MisdirectedHost(string host) => new(421, "misdirected_request",
        $"llm-mux does not answer for the host name '{Truncate(host)}'. Use 127.0.0.1 or localhost, or add the name to security.allowed-hosts.");

    public static ApiError ForeignOrigin(string origin) => new(403, "origin_not_allowed",
        $"Requests from the web origin '{Truncate(origin)}' are refused: a web page may not use this gateway unless security.allowed-origins lists its origin.");

    public static ApiError NotJson(string? contentType) => new(415, "unsupported_media_type",
        $"The request body must be JSON: send 'Content-Type: application/json' (got '{Truncate(contentType ?? "none")}').");

    public static ApiError InvalidModel(string reason) => new(400, "invalid_model", $"The model name is not valid: {reason}.");

    public static ApiError InvalidRequestBody(string detail) => new(400, "invalid_request", detail);

    public static ApiError LoopbackOnly() => new(403, "permission_denied", "This endpoint answers loopback callers only.");

    public static ApiError UnknownRoute(string path) => new(404, "not_found", $"llm-mux has no endpoint at '{Truncate(path)}'.");

    /// <summary>Client-supplied text quoted in an error stays short.</summary>
    internal static string Truncate(string text) => text.Length <= 100 ? text : text[..100] + "…";

    public static ApiError Internal() => new(500, "internal_error", "llm-mux failed to handle the request; see its log.");
}
