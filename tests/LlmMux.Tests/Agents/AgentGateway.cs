using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>
/// A real <c>llm-mux serve</c> on 127.0.0.1 (random port) in front of one <see cref="ScriptedUpstream"/>, with the
/// providers a test names. Every provider's account key is <see cref="ScriptedUpstream.Key"/>; clients use
/// <see cref="ClientKey"/>, which must never reach the upstream.
/// </summary>
internal sealed class AgentGateway : IAsyncDisposable
{
    public const string ClientKey = "llm-mux-client-key-for-agents";

    private readonly string _dir;
    private readonly GatewayProcess _gateway;

    private AgentGateway(string dir, ScriptedUpstream upstream, GatewayProcess gateway)
    {
        _dir = dir;
        Upstream = upstream;
        _gateway = gateway;
    }

    public ScriptedUpstream Upstream { get; }

    public string BaseUrl => _gateway.BaseUrl;

    /// <summary>The gateway's config file (0600, as a config holding keys should be), beside its auth dir.</summary>
    public string ConfigPath => Path.Combine(_dir, "llm-mux.yaml");

    /// <summary>What the gateway logged so far, for assertion messages.</summary>
    public string Log => _gateway.Output;

    /// <summary>Starts the upstream with <paramref name="script"/>, then the gateway with <paramref name="providers"/>:
    /// YAML list items in which <c>{upstream}</c> stands for the fake's base URL and <c>{key}</c> for its key;
    /// <paramref name="settings"/> is more top-level YAML for the config.</summary>
    public static async Task<AgentGateway> StartAsync(string providers, Func<Turn, Reply> script, string settings = "")
    {
        var upstream = await ScriptedUpstream.StartAsync(script);
        var dir = Directory.CreateTempSubdirectory("llm-mux-agents-gateway-").FullName;
        var config = Path.Combine(dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, $"""
            api-keys: [{ClientKey}]
            providers:
            {providers.Replace("{upstream}", upstream.BaseUrl, StringComparison.Ordinal).Replace("{key}", ScriptedUpstream.Key, StringComparison.Ordinal)}
            {settings}
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            return new AgentGateway(dir, upstream, await GatewayProcess.StartAsync(config));
        }
        catch
        {
            await upstream.DisposeAsync();
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    /// <summary>An <c>anthropic</c> provider on the fake, serving <paramref name="models"/> (a YAML flow list).</summary>
    public static string Anthropic(string models) => Provider("anthropic", "anthropic", "{upstream}", models);

    /// <summary>An <c>openai</c> (Chat Completions) provider on the fake, serving <paramref name="models"/>.</summary>
    public static string OpenAI(string models) => Provider("openai", "openai", "{upstream}/v1", models);

    /// <summary>A <c>gemini-api</c> provider on the fake; with no model list, its type's catalogue and <c>gemini-*</c>.</summary>
    public static string Gemini(string? models = null) => Provider("gemini", "gemini-api", "{upstream}", models);

    private static string Provider(string name, string type, string baseUrl, string? models) =>
        $"  - name: {name}\n    type: {type}\n    base-url: {baseUrl}\n    api-keys: [{{key}}]\n" + (models is null ? "" : $"    models: {models}\n");

    /// <summary>The upstream saw only its own key: the client key stayed at the gateway.</summary>
    public void AssertClientKeyNeverReachedTheUpstream()
    {
        foreach (var request in Upstream.Requests)
        {
            Assert.DoesNotContain(request.Headers, h => h.Value.Contains(ClientKey, StringComparison.Ordinal));
            Assert.DoesNotContain(ClientKey, request.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(ClientKey, request.PathAndQuery, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything an assertion message needs when an agent run went wrong.</summary>
    public string Describe(AgentResult run)
    {
        var requests = Upstream.Requests;
        var last = requests.Count == 0 ? "" : requests[^1].Body;
        return $"{run}\n--- upstream requests\n{string.Join('\n', requests.Select(r => $"{r.Method} {r.PathAndQuery}"))}" +
            $"\n--- the last one ends\n{last[Math.Max(0, last.Length - 1500)..]}\n--- its tool results\n{string.Join("\n", Upstream.LastToolResults)}" +
            $"\n--- upstream refused\n{Upstream.Rejections}";
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
