using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Tests.EndToEnd;

/// <summary>The real gateway on Kestrel, 127.0.0.1 and a random port, reading a config file in a temp dir.</summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;
    private int _disposed;

    private GatewayFixture(WebApplication app, string dir, string configPath)
    {
        _app = app;
        _dir = dir;
        ConfigPath = configPath;
        Store = app.Services.GetRequiredService<GatewayConfigStore>();
        var address = GatewayHost.BoundAddresses(app)[0];
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public HttpClient Client { get; }

    public GatewayConfigStore Store { get; }

    public string ConfigPath { get; }

    /// <summary>False to keep the config dir (and its usage ledger) for a restarted gateway.</summary>
    public bool DeleteDirOnDispose { get; set; } = true;

    public string Dir => _dir;

    public T GetService<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<GatewayFixture> StartAsync(string yaml, Action<WebApplicationBuilder>? configure = null, string? dir = null)
    {
        dir ??= Directory.CreateTempSubdirectory("llm-mux-test-").FullName;
        var path = Path.Combine(dir, "llm-mux.yaml");
        await File.WriteAllTextAsync(path, yaml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // as llm-mux writes it: no start-up warning
        }

        var app = GatewayHost.Build(
            new GatewayHostOptions(ConfigSource.File(path), new ConfigOverrides { Host = "127.0.0.1", Port = 0, AuthDir = Path.Combine(dir, "auth") }),
            builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                configure?.Invoke(builder);
            });
        await app.StartAsync();
        return new GatewayFixture(app, dir, path);
    }

    /// <summary>Writes a new config file and waits until the gateway has applied or rejected it.</summary>
    public async Task<string?> RewriteConfigAsync(string yaml)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(GatewaySnapshot _) => done.TrySetResult(null);
        void OnFailed(string error) => done.TrySetResult(error);
        Store.Reloaded += OnReloaded;
        Store.ReloadFailed += OnFailed;
        try
        {
            await File.WriteAllTextAsync(ConfigPath, yaml);
            return await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Store.Reloaded -= OnReloaded;
            Store.ReloadFailed -= OnFailed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (DeleteDirOnDispose)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
