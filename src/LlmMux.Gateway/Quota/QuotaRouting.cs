using LlmMux.Gateway.Configuration;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Quota;

/// <summary>How quota windows narrow the accounts an attempt may go to (<c>routing.quota-reserve</c>).</summary>
internal static class QuotaRouting
{
    /// <summary>The store's key for a destination: its login account when the snapshot knows it, else the destination id.</summary>
    public static string KeyFor(GatewaySnapshot snapshot, string destinationId) =>
        snapshot.FindAccount(destinationId) is { } account ? QuotaPoller.KeyFor(account) : destinationId;

    /// <summary>
    /// Drops the accounts whose window for <paramref name="model"/> is used to <paramref name="reserve"/> or beyond,
    /// before they answer 429. When every candidate is that far, the least used one alone is left to serve.
    /// Accounts with no quota data always stay (learned limits judge them).
    /// </summary>
    public static List<DestinationState> WithinReserve(List<DestinationState> candidates, GatewaySnapshot snapshot, string model, double reserve, QuotaStateStore store)
    {
        if (candidates.Count <= 1)
        {
            return candidates;
        }

        // The common case (no account near its limit) keeps the list it was given: nothing allocated per request.
        List<DestinationState>? roomy = null;
        DestinationState? leastUsed = null;
        var least = double.MaxValue;
        for (var i = 0; i < candidates.Count; i++)
        {
            var destination = candidates[i];
            var used = store.For(KeyFor(snapshot, destination.DestinationId), model)?.Used;
            if (used is not { } fraction || fraction < reserve)
            {
                roomy?.Add(destination);
                continue;
            }

            roomy ??= candidates.GetRange(0, i);
            if (fraction < least)
            {
                (least, leastUsed) = (fraction, destination);
            }
        }

        return roomy is null ? candidates : roomy.Count > 0 ? roomy : [leastUsed!];
    }
}
