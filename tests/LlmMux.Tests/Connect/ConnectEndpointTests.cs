using System.Net;
using System.Text.Json;

namespace LlmMux.Tests.Connect;

/// <summary><c>GET /v0/management/connect/{client}</c> on a real serve: the same content as <c>llm-mux connect</c>, with
/// the URL the caller used and never a configured client key.</summary>
public sealed class ConnectEndpointTests
{
    private const string Secret = "connect-management-secret";

    [Fact]
    public async Task The_management_api_serves_each_clients_setup_without_handing_out_the_configs_keys()
    {
        var dir = Directory.CreateTempSubdirectory("llm-mux-connect-api-").FullName;
        try
        {
            var config = Path.Combine(dir, "llm-mux.yaml");
            await File.WriteAllTextAsync(config, $"""
                api-keys: [configured-client-key]
                management:
                  secret-key: "{Secret}"
                """);
            await using var gateway = await GatewayProcess.StartAsync(config);
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("X-Management-Key", Secret);

            var list = await http.GetStringAsync($"{gateway.BaseUrl}/v0/management/connect");
            Assert.Equal("""["claude-code","codex","gemini-cli","cursor","opencode","openai-sdk","anthropic-sdk"]""", list);

            var codex = await http.GetAsync($"{gateway.BaseUrl}/v0/management/connect/codex?model=gpt-4.1");
            Assert.Equal(HttpStatusCode.OK, codex.StatusCode);
            var text = await codex.Content.ReadAsStringAsync();
            Assert.DoesNotContain("configured-client-key", text, StringComparison.Ordinal);
            using var body = JsonDocument.Parse(text);
            Assert.Equal("codex", body.RootElement.GetProperty("client").GetString());
            var file = body.RootElement.GetProperty("files")[0];
            Assert.Equal("~/.codex/config.toml", file.GetProperty("path").GetString());
            Assert.Equal("toml", file.GetProperty("format").GetString());
            Assert.Contains($"base_url = \"{gateway.BaseUrl}/v1\"", file.GetProperty("content").GetString(), StringComparison.Ordinal);
            Assert.Equal("YOUR_LLM_MUX_KEY", body.RootElement.GetProperty("environment")[0].GetProperty("value").GetString());

            var claude = await http.GetStringAsync($"{gateway.BaseUrl}/v0/management/connect/claude-code?key=mine");
            Assert.Contains("\"ANTHROPIC_AUTH_TOKEN\"", claude, StringComparison.Ordinal);
            Assert.Contains("mine", claude, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{gateway.BaseUrl}/v0/management/connect/vim")).StatusCode);

            using var anonymous = new HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{gateway.BaseUrl}/v0/management/connect/codex")).StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
