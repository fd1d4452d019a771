using System.Text.Encodings.Web;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Errors;
using LlmMux.Gateway.Logging;
using LlmMux.Gateway.Providers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmMux.Gateway.Security;

/// <summary>
/// The client-key scheme every LLM route (the Gemini CLI's Code Assist routes included: it sends the key as its access
/// token), and any request no endpoint serves, must pass: a configured key as <c>x-llm-mux-key</c>,
/// <c>Authorization: Bearer</c> (unless it holds an upstream login, see <see cref="ClientKeyCheck"/>), <c>x-api-key</c>,
/// <c>x-goog-api-key</c> or <c>?key=</c>. With no keys configured, only local callers get in (unless
/// <c>allow-unauthenticated-remote</c>), and a request that came through a proxy or tunnel is not local. Probes and
/// management opt out with <c>AllowAnonymous</c>; management has its own secret.
/// </summary>
/// <remarks>
/// The framework's own challenge log lines are dropped (a null logger factory for the base): a rejection is logged once,
/// under the category it always had. The principal carries the accepted key's hash, which names the caller's
/// rate-limit partition.
/// </remarks>
internal sealed class ClientKeyHandler(IOptionsMonitor<ClientKeyOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    GatewayConfigStore config, RelayToken relay, ClientPrincipals principals, Telemetry.GatewayMetrics metrics)
    : AuthenticationHandler<ClientKeyOptions>(options, NullLoggerFactory.Instance, encoder)
{
    public const string SchemeName = "llm-mux-client-key";
    public const string ClientClaim = "llm-mux:client";
    // The category rejections were always logged under, which log filters and readers may name.
    private readonly ILogger rejections = loggerFactory.CreateLogger("LlmMux.Gateway.Security.ClientAuthMiddleware");
    private ApiError? error;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        error = Check(Context, config.Current, relay, out var hash);
        if (error is not null)
        {
            return Task.FromResult(AuthenticateResult.Fail(error.Code));
        }

        return Task.FromResult(AuthenticateResult.Success(principals.For(hash)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var rejected = error ?? ApiError.MissingKey();
        Log.ClientRejected(rejections, Context.Connection.RemoteIpAddress?.ToString() ?? "?", rejected.Code);
        metrics.Rejected(rejected.Code);
        await ApiErrorWriter.WriteAsync(Context, rejected).ConfigureAwait(false);
    }

    /// <summary>
    /// The id of the client key the caller came with, as the config page's <c>&lt;redacted:key-…&gt;</c> marker names
    /// it (<see cref="GatewaySnapshot.AccountIdFor"/>); null without one (no api-keys configured).
    /// </summary>
    internal static string? KeyIdOf(System.Security.Claims.ClaimsPrincipal user)
        => user.FindFirst(ClientClaim)?.Value is { Length: >= 8 } hash ? GatewaySnapshot.KeyIdOfHash(hash) : null;

    internal static ApiError? Check(HttpContext context, GatewaySnapshot snapshot, RelayToken? relay = null) => Check(context, snapshot, relay, out _);

    internal static ApiError? Check(HttpContext context, GatewaySnapshot snapshot, RelayToken? relay, out string? clientHash)
    {
        clientHash = null;
        if (snapshot.ClientKeyHashes.Count == 0)
        {
            // A frame relayed by the Responses WebSocket was judged as the upgrade request, which got here the same way.
            if (snapshot.Options.AllowUnauthenticatedRemote || Caller.IsLocal(context) || IsRelayFromThisProcess(context, relay))
            {
                return null;
            }

            return Caller.IsLoopback(context.Connection.RemoteIpAddress) ? ApiError.ForwardedNeedsKey() : ApiError.RemoteNeedsKey();
        }

        var key = ClientKeyCheck.FindKey(context.Request);
        if (key is null)
        {
            return ApiError.MissingKey();
        }

        if (!ClientKeyCheck.IsAccepted(snapshot, key, out var hash))
        {
            return PassThrough.IsUpstreamCredential(key) ? ApiError.LoginWithoutKey() : ApiError.WrongKey();
        }

        clientHash = Convert.ToHexStringLower(hash);
        return null;
    }

    /// <summary>The relay connects to the bound address, which is not loopback when <c>host</c> is a LAN address.</summary>
    internal static bool IsRelayFromThisProcess(HttpContext context) => IsRelayFromThisProcess(context, null);

    /// <param name="relay">This host's token; null looks it up in the request's services.</param>
    internal static bool IsRelayFromThisProcess(HttpContext context, RelayToken? relay)
        => (relay ?? context.RequestServices?.GetService<RelayToken>()) is { } token && token.IsRelayed(context.Request)
            && (Caller.IsLoopback(context.Connection.RemoteIpAddress) || Equals(context.Connection.RemoteIpAddress, context.Connection.LocalIpAddress));
}
