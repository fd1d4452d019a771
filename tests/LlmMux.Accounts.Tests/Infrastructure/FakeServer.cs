using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>A request as the fake saw it.</summary>
public sealed record Recorded(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public Dictionary<string, string> Form() => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""));
}

/// <summary>
/// A local HTTP server on 127.0.0.1 (random port) playing OAuth / GitHub / Google endpoints. Each test supplies
/// handlers by path; every request is recorded.
/// </summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, Func<HttpContext, Recorded, Task>> _routes = new(StringComparer.Ordinal);
    private readonly List<Recorded> _requests = [];

    private FakeServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Recorded> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public int Count(string path) => Requests.Count(r => r.Path == path);

    public string Url(string path) => BaseUrl + path;

    public static async Task<FakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var recorded = new Recorded(
                context.Request.Method,
                context.Request.Path,
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                await reader.ReadToEndAsync());
            lock (fake._requests)
            {
                fake._requests.Add(recorded);
            }

            Func<HttpContext, Recorded, Task>? handler;
            lock (fake._routes)
            {
                fake._routes.TryGetValue(recorded.Path, out handler);
            }

            if (handler is null)
            {
                context.Response.StatusCode = 404;
                return;
            }

            await handler(context, recorded);
        });
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return fake;
    }

    public void On(string path, Func<HttpContext, Recorded, Task> handler)
    {
        lock (_routes)
        {
            _routes[path] = handler;
        }
    }

    public void OnJson(string path, Func<Recorded, (int Status, string Json)> handler) => On(path, async (context, request) =>
    {
        var (status, json) = handler(request);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
