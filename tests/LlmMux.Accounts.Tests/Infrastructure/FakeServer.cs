using LlmMux.Testing;
using Microsoft.AspNetCore.Http;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>A request as the fake saw it.</summary>
public sealed record Recorded(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public Dictionary<string, string> Form() => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""));
}

/// <summary>
/// The shared <see cref="FakeUpstream"/> with handlers by path, playing OAuth / GitHub / Google endpoints; every
/// request is recorded, and a path no test set up answers 404.
/// </summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly Dictionary<string, Func<HttpContext, Recorded, Task>> _routes = new(StringComparer.Ordinal);
    private readonly List<Recorded> _requests = [];
    private FakeUpstream _upstream = null!;

    private FakeServer()
    {
    }

    public string BaseUrl => _upstream.BaseUrl.TrimEnd('/');

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
        var fake = new FakeServer();
        fake._upstream = await FakeUpstream.StartAsync(fake.HandleAsync);
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

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var recorded = new Recorded(request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", request.Headers, request.Body);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        Func<HttpContext, Recorded, Task>? handler;
        lock (_routes)
        {
            _routes.TryGetValue(recorded.Path, out handler);
        }

        if (handler is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        await handler(context, recorded);
    }
}
