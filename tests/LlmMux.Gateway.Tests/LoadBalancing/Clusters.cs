using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace LlmMux.Gateway.Tests.LoadBalancing;

/// <summary>A provider's cluster as YARP holds it: destinations in file order.</summary>
internal static class Clusters
{
    public static ClusterState Of(params string[] destinationIds)
    {
        var config = new ClusterConfig
        {
            ClusterId = "p",
            Destinations = destinationIds.ToDictionary(id => id, _ => new DestinationConfig { Address = "http://127.0.0.1:1" }, StringComparer.Ordinal),
        };
        var cluster = new ClusterState("p", new ClusterModel(config, new HttpMessageInvoker(new HttpClientHandler())));
        foreach (var id in destinationIds)
        {
            cluster.Destinations[id] = new DestinationState(id);
        }

        return cluster;
    }

    public static IReadOnlyList<DestinationState> Available(ClusterState cluster, params string[] ids)
        => ids.Select(id => cluster.Destinations[id]).ToList();
}
