using System.Net;
using Yarp.ReverseProxy.Configuration;

// A bare YARP proxy: every path to one upstream, nothing else. bench/run measures it beside llm-mux so the report can
// tell what the framework costs per request from what llm-mux adds on top of it.
// Usage: YarpBaseline UPSTREAM_URL PORT
if (args.Length != 2 || !int.TryParse(args[1], out var port))
{
    Console.Error.WriteLine("usage: YarpBaseline UPSTREAM_URL PORT");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["only"] = new() { Address = args[0] } } }]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
return 0;
