using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmMux.Testing;

namespace LlmMux.Tests.Cluster;

/// <summary>
/// Several real <c>llm-mux serve</c> processes on loopback sharing one real Redis (issue 16): one config file, given
/// <c>LLM_MUX_REDIS</c> by environment, and an auth dir per replica (they share no disk).
/// </summary>
internal sealed class ClusterFleet : IAsyncDisposable
{
    public const string MuxKey = "mux-cluster-key";
    public const string Secret = "cluster-management-secret";

    private readonly List<GatewayProcess> _replicas = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private ClusterFleet(RedisServer redis, string dir, string @namespace)
    {
        Redis = redis;
        Directory = dir;
        Namespace = @namespace;
    }

    public RedisServer Redis { get; }

    public string Directory { get; }

    public string Namespace { get; }

    public string ConfigPath => Path.Combine(Directory, "llm-mux.yaml");

    public IReadOnlyList<GatewayProcess> Replicas => _replicas;

    public GatewayProcess this[int replica] => _replicas[replica];

    /// <summary>Writes <paramref name="configBody"/> (providers, limits, …) below the keys every fleet test needs.</summary>
    /// <param name="redisTls">Redis speaks TLS only, with a certificate from a test CA; <paramref name="trustRedisCa"/> puts that CA in <c>cluster.tls-ca</c>.</param>
    public static async Task<ClusterFleet> CreateAsync(string configBody, string? extraTopLevel = null, string? redisPassword = null, bool redisTls = false, bool trustRedisCa = true)
    {
        var redis = await RedisServer.StartAsync(redisPassword, redisTls);
        var dir = System.IO.Directory.CreateTempSubdirectory("llm-mux-cluster-e2e-").FullName;
        var fleet = new ClusterFleet(redis, dir, "t" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(fleet.ConfigPath, $"""
            api-keys: [{MuxKey}]
            management:
              secret-key: "{Secret}"
            cluster:
              namespace: "{fleet.Namespace}"
              {(redis.Tls is { } tls && trustRedisCa ? $"tls-ca: \"{tls.CaPath}\"" : "")}
            {extraTopLevel ?? ""}
            {configBody}
            """);
        return fleet;
    }

    /// <summary>Each replica's data dir holds its auth dir and, beside it, its own usage ledger, as on separate machines.</summary>
    public string AuthDir(int replica) => Path.Combine(Directory, $"replica-{replica}", "auth");

    /// <summary>Starts replicas until there are <paramref name="count"/>, each with its own auth dir.</summary>
    public async Task StartAsync(int count, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["LLM_MUX_REDIS"] = Redis.Url };
        while (_replicas.Count < count)
        {
            var auth = AuthDir(_replicas.Count);
            System.IO.Directory.CreateDirectory(auth);
            _replicas.Add(await GatewayProcess.StartAsync(ConfigPath, auth, env));
        }
    }

    /// <summary>Stops replica <paramref name="replica"/> as a service manager would (SIGTERM) and starts it again on its auth dir.</summary>
    public async Task RestartAsync(int replica)
    {
        await _replicas[replica].StopAsync();
        await _replicas[replica].DisposeAsync();
        _replicas[replica] = await GatewayProcess.StartAsync(ConfigPath, AuthDir(replica), new Dictionary<string, string> { ["LLM_MUX_REDIS"] = Redis.Url });
    }

    /// <summary>A management GET with its answer's headers.</summary>
    public async Task<(JsonNode Body, HttpResponseHeaders Headers)> ManagementWithHeadersAsync(int replica, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_replicas[replica].BaseUrl}/v0/management/{path}");
        request.Headers.Add("X-Management-Key", Secret);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!, response.Headers);
    }

    public async Task<HttpResponseMessage> ChatAsync(int replica, string model, string text = "hello", bool stream = false, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_replicas[replica].BaseUrl}/v1/chat/completions")
        {
            Content = new StringContent(new JsonObject
            {
                ["model"] = model,
                ["stream"] = stream,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MuxKey);
        if (session is not null)
        {
            request.Headers.Add("x-session-id", session);
        }

        return await _http.SendAsync(request);
    }

    public async Task<JsonNode> ManagementAsync(int replica, string path) => (await ManagementWithHeadersAsync(replica, path)).Body;

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The bound only turns a lost update into a failure instead of
    /// a hang: replicas learn from each other by pub/sub and reconcile, so nothing here races a fixed delay.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException("never happened: " + what);
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Redis.DisposeAsync();
        _http.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
