using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Ingress;

/// <summary>
/// Who sent a request, kept with its usage in the request log: the client program (the first product of its
/// <c>User-Agent</c>, e.g. <c>claude-cli/2.1.86</c>) and its conversation id (Claude Code's
/// <c>X-Claude-Code-Session-Id</c>, or whatever <c>routing.session-sources</c> found), so one session's calls and
/// tokens can be added up. Neither is a credential; both are bounded before they are stored.
/// </summary>
internal readonly record struct ClientAttribution(string? Client, string? Session)
{
    private const int MaxClientLength = 64;

    public static ClientAttribution From(HttpRequest request, string? session)
    {
        var agent = request.Headers.UserAgent.ToString();
        var end = agent.IndexOf(' ', StringComparison.Ordinal);
        var product = end < 0 ? agent : agent[..end];
        return new ClientAttribution(
            product.Length == 0 ? null : product.Length > MaxClientLength ? product[..MaxClientLength] : product,
            session);
    }
}
