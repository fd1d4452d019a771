using LlmMux.Gateway.Forwarding;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace LlmMux.Gateway.Quota;

/// <summary>
/// On every upstream answer: the windows its headers carry go into the <see cref="QuotaStateStore"/> for free, and the
/// account, being in use, gets a background read when one is due (<see cref="QuotaPoller"/>). Never changes the answer,
/// never fails it.
/// </summary>
internal sealed class QuotaHeaderTransform(QuotaStateStore store, QuotaPoller poller) : ResponseTransform
{
    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var attempt = context.HttpContext.Features.Get<AttemptFeature>();
        if (context.ProxyResponse is not { } response || attempt?.Account is not { PassThrough: false } account
            || attempt.Target.Provider.Kind.Quota is not { } reader)
        {
            return ValueTask.CompletedTask;
        }

        var provider = attempt.Target.Provider;
        try
        {
            if (reader.FromHeaders(response.Headers, store.Time.GetUtcNow()) is { Count: > 0 } windows)
            {
                store.Update(QuotaPoller.KeyFor(account), account.DestinationId, provider.Kind, windows, fromHeaders: true);
            }
        }
        catch (FormatException)
        {
            // A malformed header says nothing; the answer itself is unaffected.
        }

        poller.OnUsed(provider, account);
        return ValueTask.CompletedTask;
    }
}
