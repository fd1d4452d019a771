using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmMux.Gateway.Management;

/// <summary>
/// The scheme every <c>/v0/management</c> route authenticates with (spec §8): 404 while no secret is configured, 403
/// for a non-loopback caller unless <c>management.allow-remote</c>, 429 for a caller locked out after wrong guesses,
/// 401 without the right secret as <c>Authorization: Bearer</c> or <c>X-Management-Key</c>.
/// </summary>
/// <remarks>
/// The check runs once per request, whatever asks for it (the authentication gate, then its challenge), so a wrong guess
/// counts once against the throttle. The framework's own log lines are dropped, as for the client-key scheme.
/// </remarks>
internal sealed class ManagementSecretHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, UrlEncoder encoder,
    GatewayConfigStore config, ManagementSecretVerifier verifier, ManagementThrottle throttle, LlmMux.Gateway.Dashboard.DashboardSessions sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
{
    public const string SchemeName = "llm-mux-management";

    private static readonly AuthenticationTicket Operator =
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "operator")], SchemeName)), SchemeName);

    private int? refusal;
    private TimeSpan retryAfter;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only a caller the loopback rule lets in gets a session looked up in Redis.
        if (config.Current.Options.Management is { SecretKey.Length: > 0 } management && (management.AllowRemote || Caller.IsLocal(Context)))
        {
            await sessions.LoadAsync(Context).ConfigureAwait(false);
        }

        refusal = Check(Context, config.Current.Options.Management, verifier, throttle, out retryAfter, sessions);
        return refusal is null ? AuthenticateResult.Success(Operator) : AuthenticateResult.Fail(refusal.Value.ToString(CultureInfo.InvariantCulture));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var result = refusal switch
        {
            404 => Results.NotFound(),
            403 => ManagementEndpoints.Problem(403, "management is only served to loopback callers (management.allow-remote: false)"),
            429 => ManagementEndpoints.Problem(429, "too many wrong management secrets from this address; wait for Retry-After"),
            _ => ManagementEndpoints.Problem(401, "missing or wrong management secret"),
        };

        if (refusal == 429)
        {
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await result.ExecuteAsync(Context).ConfigureAwait(false);
    }

    /// <summary>The status a management call gets before any route runs, or null when it may go on.</summary>
    /// <remarks>
    /// Cheapest first: no secret configured, then a remote caller, then a locked-out caller, and only then the hash.
    /// A call without any secret is a plain 401 and does not count as a guess.
    /// </remarks>
    /// <remarks>
    /// Without a secret header, the dashboard's cookie session stands in (<see cref="LlmMux.Gateway.Dashboard.DashboardSessions"/>),
    /// under the same loopback rule and, for a state-changing call, with its CSRF header.
    /// </remarks>
    internal static int? Check(HttpContext http, ManagementOptions management, ManagementSecretVerifier verifier, ManagementThrottle? throttle, out TimeSpan retryAfter,
        LlmMux.Gateway.Dashboard.DashboardSessions? sessions = null)
    {
        retryAfter = TimeSpan.Zero;
        if (management.SecretKey.Length == 0)
        {
            return 404;
        }

        if (!management.AllowRemote && !Caller.IsLocal(http))
        {
            return 403;
        }

        var given = http.Request.Headers["X-Management-Key"].ToString();
        var authorization = http.Request.Headers.Authorization.ToString();
        if (given.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization["Bearer ".Length..].Trim();
        }

        if (given.Length == 0)
        {
            return sessions is not null && LlmMux.Gateway.Dashboard.DashboardSessions.HasCookie(http) && sessions.Accepts(http, management.SecretKey) ? null : 401;
        }

        return CheckGiven(http, management, verifier, throttle, given, out retryAfter);
    }

    /// <summary>A secret the caller gave (header or the dashboard's sign-in) checked under the wrong-guess throttle.</summary>
    internal static int? CheckGiven(HttpContext http, ManagementOptions management, ManagementSecretVerifier verifier, ManagementThrottle? throttle, string given, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var remote = http.Connection.RemoteIpAddress;
        if (verifier.IsKnownGood(management.SecretKey, given))
        {
            return null;
        }

        var caller = ManagementThrottle.CallerOf(remote);
        if (throttle is not null && !throttle.TryBegin(caller, out retryAfter))
        {
            return 429;
        }

        var ok = false;
        try
        {
            ok = verifier.Verify(management.SecretKey, given);
        }
        finally
        {
            throttle?.End(caller, ok); // a reserved check must always end, or the caller stays locked out
        }

        return ok ? null : 401;
    }

    internal static int? Check(HttpContext http, ManagementOptions management) => Check(http, management, new ManagementSecretVerifier(), null, out _);
}
