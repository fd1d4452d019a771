using System.Net;
using BenchmarkDotNet.Attributes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using LlmMux.Gateway.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Benchmarks;

/// <summary>
/// What the client-key check costs per proxied request, in process: ASP.NET Core's <c>UseAuthentication</c> +
/// <c>UseAuthorization</c> with the client-key scheme as fallback policy (what #13 first landed), llm-mux's endpoint gate
/// in front of the same scheme (what ships), and no stage at all. Each call gets a fresh context and request scope, as
/// Kestrel gives it, for an LLM route endpoint with no metadata of its own.
/// </summary>
[MemoryDiagnoser]
public class AuthenticationStageBenchmarks
{
    private ServiceProvider services = null!;
    private RequestDelegate framework = null!;
    private RequestDelegate gate = null!;
    private RequestDelegate none = null!;
    private Endpoint route = null!;
    private string? bearer;

    /// <summary>No keys configured (a loopback caller) or one key sent as a bearer token.</summary>
    [Params(false, true)]
    public bool WithKey { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var authDir = Directory.CreateTempSubdirectory("llm-mux-bench-").FullName;
        var yaml = WithKey ? "api-keys: [sk-bench-client]\nproviders: []\n" : "providers: []\n";
        bearer = WithKey ? "Bearer sk-bench-client" : null;
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddLlmMux(new GatewayHostOptions(ConfigSource.Inline(yaml, "bench"), new ConfigOverrides { AuthDir = authDir }));
        collection.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(ClientKeyHandler.SchemeName).RequireAuthenticatedUser().Build());
        services = collection.BuildServiceProvider();
        RequestDelegate terminal = _ => Task.CompletedTask;

        var a = new ApplicationBuilder(services);
        a.UseAuthentication();
        a.UseAuthorization();
        a.Run(terminal);
        framework = a.Build();

        var b = new ApplicationBuilder(services);
        b.UseMiddleware<EndpointAuthenticationMiddleware>();
        b.Run(terminal);
        gate = b.Build();

        var c = new ApplicationBuilder(services);
        c.Run(terminal);
        none = c.Build();

        route = new RouteEndpoint(terminal, RoutePatternFactory.Parse("/v1/chat/completions"), 0, EndpointMetadataCollection.Empty, "llm route");
    }

    [GlobalCleanup]
    public void Cleanup() => services.Dispose();

    [Benchmark(Baseline = true)]
    public Task NoStage() => Invoke(none);

    [Benchmark]
    public Task FrameworkAuthenticationAndAuthorization() => Invoke(framework);

    [Benchmark]
    public Task EndpointGate() => Invoke(gate);

    private async Task Invoke(RequestDelegate pipeline)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        context.Request.Method = "POST";
        context.Request.Path = "/v1/chat/completions";
        if (bearer is not null)
        {
            context.Request.Headers.Authorization = bearer;
        }

        context.SetEndpoint(route);
        await pipeline(context).ConfigureAwait(false);
        if (context.Response.StatusCode != 200)
        {
            throw new InvalidOperationException($"the stage refused the call: {context.Response.StatusCode}");
        }
    }
}
