using LlmMux.Translation;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Gateway.Errors;

/// <summary>
/// Endpoint metadata naming the dialect of an endpoint's callers, which the errors it (or anything before it) answers
/// are written in. An endpoint several dialects share (<c>GET /v1/models</c>) lists the dialects whose callers it can
/// recognise by their headers (<see cref="DialectDescriptor.CallerHeaders"/>), first match wins, else
/// <see cref="Dialect"/>.
/// </summary>
internal sealed class DialectMetadata(Dialect dialect, params Dialect[] recognised)
{
    public Dialect Dialect { get; } = dialect;

    public Dialect For(HttpRequest request)
    {
        foreach (var candidate in recognised)
        {
            if (IsCallerOf(candidate, request))
            {
                return candidate;
            }
        }

        return Dialect;
    }

    internal static bool IsCallerOf(Dialect dialect, HttpRequest request)
    {
        var descriptor = Dialects.Get(dialect);
        return descriptor.CallerHeaders.Any(request.Headers.ContainsKey) || descriptor.CallerQueryKeys.Any(request.Query.ContainsKey);
    }
}
