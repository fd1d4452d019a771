using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmMux.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's, installed by <c>tests/scripts/ensure-redis-server</c> when missing) on
/// 127.0.0.1 and a free port, with no persistence. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> kill it and
/// bring it back on the same port, for tests of a fleet that loses its Redis.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port, string? password, RedisTls? tls)
    {
        Port = port;
        Password = password;
        Tls = tls;
    }

    /// <summary>Set when the server speaks TLS only (<c>--tls-port</c>, no plain port), with a certificate from a test CA.</summary>
    public RedisTls? Tls { get; }

    public int Port { get; }

    /// <summary><c>requirepass</c>, when the test wants Redis to refuse clients without it.</summary>
    public string? Password { get; }

    public string Url => $"{(Tls is null ? "redis" : "rediss")}://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string? password = null, bool tls = false)
    {
        EnsureInstalled();
        var server = new RedisServer(FreePort(), password, tls ? RedisTls.Create() : null);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] listen = Tls is { } tls
            ? ["--port", "0", "--tls-port", port, "--tls-cert-file", tls.CertificatePath, "--tls-key-file", tls.KeyPath, "--tls-ca-cert-file", tls.CaPath, "--tls-auth-clients", "no"]
            : ["--port", port];
        foreach (var arg in listen.Concat(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"]))
        {
            start.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(Password);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 200; i++)
        {
            if (await CommandAsync("PING") is "+PONG" or "-NOAUTH Authentication required.")
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new InvalidOperationException("redis-server did not answer PING");
    }

    /// <summary>Kills the server (no clean shutdown, as a crash or a network cut would look).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>One inline command (<c>PING</c>, <c>KEYS *</c>); its first reply line, or null when the server is down.</summary>
    public async Task<string?> CommandAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            Stream stream = client.GetStream();
            if (Tls is { } trust)
            {
                var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate is not null && trust.Issued(certificate));
                await tls.AuthenticateAsClientAsync("127.0.0.1");
                stream = tls;
            }

            var auth = Password is null ? "" : $"AUTH {Password}\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(auth + command + "\r\n"));
            var buffer = new byte[64 * 1024];
            var read = await stream.ReadAsync(buffer);
            var text = Encoding.UTF8.GetString(buffer, 0, read);
            if (Password is not null && text.StartsWith("+OK\r\n", StringComparison.Ordinal))
            {
                text = text["+OK\r\n".Length..];
                if (text.Length == 0)
                {
                    read = await stream.ReadAsync(buffer);
                    text = Encoding.UTF8.GetString(buffer, 0, read);
                }
            }

            return text.Split("\r\n")[0];
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Tls?.Dispose();
    }

    private static void EnsureInstalled()
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "scripts", "ensure-redis-server");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run " + script);
        install.WaitForExit();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({install.ExitCode}): these tests need Debian's redis-server");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmMux.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LlmMux.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
