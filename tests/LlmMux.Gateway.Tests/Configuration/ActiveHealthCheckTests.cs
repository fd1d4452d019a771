using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Routing;

namespace LlmMux.Gateway.Tests.Configuration;

public sealed class ActiveHealthCheckTests
{
    [Fact]
    public void Only_keyless_openai_compatible_servers_are_probed_and_on_their_models_path()
    {
        var snapshot = new GatewaySnapshot(ConfigLoader.Parse("""
            providers:
              - { name: local, type: openai, base-url: "http://127.0.0.1:11434/v1", models: [llama3] }
              - { name: paid, type: openai, api-keys: [k], models: [gpt-4.1] }
              - { name: claude-keys, type: anthropic, api-keys: [k] }
            """, "t.yaml"), 1);

        var local = YarpConfigProvider.ActiveCheckFor(snapshot.Providers[0]);
        Assert.NotNull(local);
        Assert.True(local.Enabled);
        Assert.Equal("/models", local.Path);
        Assert.Null(YarpConfigProvider.ActiveCheckFor(snapshot.Providers[1]));
        Assert.Null(YarpConfigProvider.ActiveCheckFor(snapshot.Providers[2]));
    }
}
