using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Security;

/// <summary>
/// Who may call an endpoint, read from its metadata: <c>AllowAnonymous</c> passes; any other endpoint, and a request no
/// endpoint matched, must authenticate with the scheme its <c>[Authorize]</c> metadata names (the client-key scheme
/// when it names none), and a failure is that scheme's challenge.
/// </summary>
/// <remarks>
/// This is the part of <c>UseAuthentication</c> + <c>UseAuthorization</c> llm-mux uses. The framework's pair authenticated
/// twice per request (default scheme, then the policy's), merged principals, built a policy evaluation and a handler
/// context, and cost about 20 µs of CPU per proxied request, a tenth of the gateway's budget (docs/benchmarks.md). No
/// llm-mux endpoint needs roles, claims requirements or policies; one that does can bring <c>UseAuthorization</c>
/// back behind this gate without changing any endpoint's metadata.
/// </remarks>
internal sealed class EndpointAuthenticationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAllowAnonymous>() is not null)
        {
            return next(context);
        }

        var scheme = metadata?.GetMetadata<IAuthorizeData>()?.AuthenticationSchemes is { Length: > 0 } named ? named : ClientKeyHandler.SchemeName;
        return AuthenticateAsync(context, scheme);
    }

    private async Task AuthenticateAsync(HttpContext context, string scheme)
    {
        var result = await context.AuthenticateAsync(scheme).ConfigureAwait(false);
        if (result.Succeeded)
        {
            context.User = result.Principal;
            await next(context).ConfigureAwait(false);
            return;
        }

        await context.ChallengeAsync(scheme).ConfigureAwait(false);
    }
}
