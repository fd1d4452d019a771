using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Cluster;

internal static class ClusterEndpoints
{
    /// <summary><c>GET /cluster</c> under the management group (same secret and loopback rules as its other routes).</summary>
    public static RouteGroupBuilder MapCluster(this RouteGroupBuilder management)
    {
        management.MapGet("/cluster", ViewAsync);
        return management;
    }

    private static async Task<IResult> ViewAsync(RedisLink link, InstanceRegistry registry, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var members = (link.Enabled ? await registry.MembersAsync().ConfigureAwait(false) : null) ?? [registry.Self];
        if (members.All(m => m.Id != link.InstanceId))
        {
            members = [registry.Self, .. members];
        }

        var view = new ClusterView(
            link.Enabled,
            link.Enabled ? link.Namespace : null,
            link.Enabled ? link.Endpoint : null,
            link.Connected,
            link.Failures,
            link.InstanceId,
            members.Select(m => new ClusterMemberView(m.Id, m.Name, m.Version, m.ConfigHash, m.Started, m.LastHeartbeat, now - m.LastHeartbeat > InstanceRegistry.StaleAfter)).ToList());
        return Results.Json(view, Management.ManagementJsonContext.Default.ClusterView);
    }

    /// <summary>For <c>/readyz</c>: null when the cluster is off.</summary>
    public static ClusterReadiness? Readiness(RedisLink link)
        => link.Enabled ? new ClusterReadiness(link.Connected ? "connected" : "unavailable", link.Failures) : null;
}
