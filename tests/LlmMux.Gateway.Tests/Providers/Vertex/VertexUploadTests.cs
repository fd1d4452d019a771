using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Tests.EndToEnd;
using LlmMux.Testing;

namespace LlmMux.Gateway.Tests.Providers.Vertex;

/// <summary>A service-account key uploaded through <c>POST /v0/management/accounts</c> is a vertex account; a bad one is refused naming the field.</summary>
public sealed class VertexUploadTests
{
    [Fact]
    public async Task An_uploaded_key_file_becomes_a_vertex_account_and_a_bad_one_is_refused()
    {
        await using var gateway = await GatewayFixture.StartAsync("""
            management: { secret-key: "secret-1" }
            providers:
              - { name: vertex, type: vertex, models: [gemini-2.5-pro] }
            """);
        using var sa = new FakeServiceAccount("https://oauth2.googleapis.com/token");
        var reloaded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(GatewaySnapshot s)
        {
            if (s.Providers.Single().Accounts.Count > 0)
            {
                reloaded.TrySetResult(s.Providers.Single().Accounts.Count);
            }
        }

        gateway.Store.Reloaded += OnReloaded;
        using var uploaded = await gateway.Client.SendAsync(Call(sa.KeyJson()));
        var body = await uploaded.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var view = JsonNode.Parse(body)!;
        Assert.Equal("vertex-mux-sa@proj-e2e.iam.gserviceaccount.com", view["id"]!.GetValue<string>());
        Assert.Equal("vertex", view["type"]!.GetValue<string>());
        Assert.DoesNotContain("PRIVATE KEY", body, StringComparison.Ordinal);
        Assert.Equal(1, await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        gateway.Store.Reloaded -= OnReloaded;

        foreach (var (field, value) in new[] { ("private_key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), ("client_email", (string?)null) })
        {
            using var bad = await gateway.Client.SendAsync(Call(sa.KeyJson((field, value))));
            var error = await bad.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains(field, error, StringComparison.Ordinal);
            Assert.DoesNotContain("AAAA", error, StringComparison.Ordinal);
        }
    }

    private static HttpRequestMessage Call(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v0/management/accounts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Management-Key", "secret-1");
        return request;
    }
}
