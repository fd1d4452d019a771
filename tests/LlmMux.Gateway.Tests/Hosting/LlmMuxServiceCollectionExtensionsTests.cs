using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Tests.Hosting;

public sealed class LlmMuxServiceCollectionExtensionsTests
{
    private static GatewayHostOptions Options(string yaml) => new(ConfigSource.Inline(yaml, "t.yaml"), new ConfigOverrides());

    [Fact]
    public void A_bad_config_fails_at_registration_with_its_line()
    {
        var error = Assert.Throws<ConfigException>(() => new ServiceCollection().AddLlmMux(Options("port: 1\nrouting:\n  max-attempts: 0\n")));
        Assert.Contains("t.yaml: line 3: routing.max-attempts", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_twice_registers_nothing_more()
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmMux(Options("port: 1\n"));
        var count = services.Count;
        Assert.Same(services, builder.Services);
        services.AddLlmMux(Options("port: 2\n"));
        Assert.Equal(count, services.Count);
    }

    [Fact]
    public void The_store_starts_from_the_text_read_at_registration()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("llm-mux-test-").FullName, "llm-mux.yaml");
        File.WriteAllText(path, "port: 1234\n");
        var services = new ServiceCollection().AddLogging();
        services.AddLlmMux(new GatewayHostOptions(ConfigSource.File(path), new ConfigOverrides()));
        File.WriteAllText(path, "port: 4321\n"); // not read again until a reload
        using var provider = services.BuildServiceProvider();
        Assert.Equal(1234, provider.GetRequiredService<GatewayConfigStore>().Current.Options.Port);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
