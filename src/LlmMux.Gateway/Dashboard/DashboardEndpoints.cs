using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Dashboard;

/// <summary>
/// <c>/dashboard</c>: the web files embedded in this assembly (no CDN, nothing fetched at run time, the same under
/// Native AOT and <c>dotnet run</c>) and the sign-in that turns the management secret into a cookie session.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>Nothing inline, nothing from elsewhere, never framed.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string ResourcePrefix = "dashboard/";

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(LoadAssets);

    internal sealed record Asset(byte[] Content, string ContentType, string ETag);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        // Routing ignores a trailing slash: "/dashboard/" lands here too and gets the page itself.
        endpoints.MapGet("/dashboard", (HttpContext http) => http.Request.Path.Value!.EndsWith('/') ? Serve(http, null) : Results.Redirect("/dashboard/")).AllowAnonymous().DisableRateLimiting();
        endpoints.MapGet("/dashboard/{**path}", Serve).AllowAnonymous().DisableRateLimiting();
        endpoints.MapGet("/dashboard/session", SessionStateAsync).AllowAnonymous().DisableRateLimiting();
        endpoints.MapPost("/dashboard/session", SignInAsync).AllowAnonymous().DisableRateLimiting();
        endpoints.MapDelete("/dashboard/session", SignOut).AllowAnonymous().DisableRateLimiting();
        return endpoints;
    }

    private static IResult Serve(HttpContext http, string? path)
    {
        var name = string.IsNullOrEmpty(path) ? "index.html" : path;
        if (!Assets.Value.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // Revalidated every time (the files change with the binary), answered 304 while the ETag matches.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } match
            && match.Split(',', StringSplitOptions.TrimEntries).Any(m => m == asset.ETag || m == "*"))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static async Task<IResult> SessionStateAsync(HttpContext http, GatewayConfigStore config, DashboardSessions sessions)
    {
        var management = config.Current.Options.Management;
        if (Refused(http, management) is { } refused)
        {
            return refused;
        }

        await sessions.LoadAsync(http).ConfigureAwait(false);
        var csrf = management.SecretKey.Length == 0 ? null : sessions.CsrfOf(http, management.SecretKey);
        return Results.Json(new SessionView(management.SecretKey.Length > 0, csrf is not null, csrf), DashboardJsonContext.Default.SessionView);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, GatewayConfigStore config, ManagementSecretVerifier verifier, ManagementThrottle throttle, DashboardSessions sessions)
    {
        var management = config.Current.Options.Management;
        if (Refused(http, management) is { } refused)
        {
            return refused;
        }

        if (management.SecretKey.Length == 0)
        {
            return ManagementEndpoints.Problem(404, "no management secret is configured: run llm-mux init, or set management.secret-key in the config");
        }

        SignIn? body;
        try
        {
            body = await System.Text.Json.JsonSerializer.DeserializeAsync(http.Request.Body, DashboardJsonContext.Default.SignIn, http.RequestAborted).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        if (body?.Secret is not { Length: > 0 and <= 4096 } secret)
        {
            return ManagementEndpoints.Problem(400, "send {\"secret\": \"...\"} as JSON");
        }

        switch (ManagementSecretHandler.CheckGiven(http, management, verifier, throttle, secret, out var retryAfter))
        {
            case 429:
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ManagementEndpoints.Problem(429, "too many wrong management secrets from this address; wait for Retry-After");
            case not null:
                return ManagementEndpoints.Problem(401, "wrong management secret");
        }

        sessions.End(http.Request.Cookies[DashboardSessions.CookieName]);
        var (id, csrf, expires) = await sessions.StartAsync(management.SecretKey).ConfigureAwait(false);
        http.Response.Cookies.Append(DashboardSessions.CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
        return Results.Json(new SessionView(true, true, csrf), DashboardJsonContext.Default.SessionView);
    }

    private static IResult SignOut(HttpContext http, DashboardSessions sessions)
    {
        sessions.End(http.Request.Cookies[DashboardSessions.CookieName]);
        http.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps });
        return Results.NoContent();
    }

    /// <summary>The management API's loopback rule, for the session routes too.</summary>
    private static IResult? Refused(HttpContext http, ManagementOptions management)
        => !management.AllowRemote && !Security.Caller.IsLocal(http)
            ? ManagementEndpoints.Problem(403, "management is only served to loopback callers (management.allow-remote: false)")
            : null;

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..].Replace('\\', '/');
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            assets[name] = new Asset(content, ContentTypeOf(name), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    internal static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}

internal sealed record SignIn(string? Secret);

internal sealed record SessionView(bool Configured, bool SignedIn, string? Csrf);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SignIn))]
[JsonSerializable(typeof(SessionView))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
