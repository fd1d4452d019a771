using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Hosting;

/// <summary>What <c>AddLlmMux()</c> returns, for further llm-mux registrations on the same services.</summary>
public sealed class LlmMuxBuilder
{
    internal LlmMuxBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }
}
