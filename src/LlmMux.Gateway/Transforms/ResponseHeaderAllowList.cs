using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Transforms;

/// <summary>
/// The upstream response headers a client gets: what describes the body, when to retry, and the upstream's request
/// id for support tickets. Nothing else: <c>Set-Cookie</c>, organisation and account ids, plan headers and another
/// account's rate-limit state (unless the provider sets <c>forward-rate-limit-headers</c>) stay with the gateway.
/// </summary>
internal sealed class ResponseHeaderAllowList(bool forwardRateLimits) : ResponseTransform
{
    private static readonly string[] Always =
    [
        "Content-Type", "Content-Encoding", "Content-Language", "Retry-After", "request-id", "x-request-id",
    ];

    /// <summary>OpenAI's, Anthropic's (incl. Claude Code's <c>anthropic-ratelimit-unified-*</c>) and Codex's plan windows.</summary>
    private static readonly string[] RateLimitPrefixes = ["x-ratelimit-", "anthropic-ratelimit-", "x-codex-primary-", "x-codex-secondary-"];

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } upstream)
        {
            return ValueTask.CompletedTask;
        }

        var headers = context.HttpContext.Response.Headers;
        foreach (var name in Always)
        {
            if (upstream.Headers.NonValidated.TryGetValues(name, out var values) || upstream.Content.Headers.NonValidated.TryGetValues(name, out values))
            {
                headers[name] = values.ToArray();
            }
        }

        if (forwardRateLimits)
        {
            foreach (var (name, values) in upstream.Headers.NonValidated)
            {
                foreach (var prefix in RateLimitPrefixes)
                {
                    if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        headers[name] = values.ToArray();
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
