using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmMux.Accounts.OAuth;

/// <summary>
/// A minimal HTTP listener on the loopback address that waits for the browser's redirect to the provider's callback
/// path. It answers one page and completes with the query parameters; other paths get 404. No ASP.NET Core needed.
/// Connections are served concurrently, so a local process that connects and sends nothing cannot hold the login
/// up, and a callback with another state (any local process can send one) gets 400 and is otherwise ignored.
/// </summary>
public sealed class CallbackListener : IAsyncDisposable
{
    private const int MaxRequestHead = 16 * 1024;
    private const int MaxConnections = 32;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpListener _listener;
    private readonly string _path;
    private readonly string? _expectedState;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Dictionary<string, string>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _connections = [];
    private int _rejectedStates;

    private CallbackListener(TcpListener listener, string path, string? expectedState)
    {
        _listener = listener;
        _path = path;
        _expectedState = expectedState;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The bound port (the requested one, or the one picked for port 0).</summary>
    public int Port { get; }

    /// <summary>
    /// Binds 127.0.0.1:<paramref name="port"/> (0 = any free port). Throws <see cref="SocketException"/> when taken.
    /// With <paramref name="expectedState"/>, a callback with another state gets an error page and does not end the
    /// wait; the caller still checks the state of the parameters it gets.
    /// </summary>
    public static CallbackListener Start(int port, string path, string? expectedState = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new CallbackListener(listener, string.IsNullOrEmpty(path) ? "/" : path, expectedState);
    }

    /// <summary>
    /// Completes with the query parameters of the first request to the callback path whose state matches (any state
    /// without an expected one). When <paramref name="ct"/> ends the wait after only callbacks with another state
    /// came, throws <see cref="OAuthException"/> saying so.
    /// </summary>
    public async Task<Dictionary<string, string>> WaitAsync(CancellationToken ct)
    {
        try
        {
            return await _result.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && Volatile.Read(ref _rejectedStates) > 0)
        {
            throw new OAuthException("Only callbacks of another login attempt arrived (state mismatch); start the login again.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).ConfigureAwait(false);

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                if (_connections.Count >= MaxConnections)
                {
                    client.Dispose();
                    continue;
                }

                var connection = ServeAsync(client);
                _connections.Add(connection);
                _ = connection.ContinueWith(
                    done =>
                    {
                        lock (_connections)
                        {
                            _connections.Remove(done);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        // Off the accept loop at once: a slow or silent connection only waits out its own head timeout.
        await Task.Yield();
        using (client)
        {
            try
            {
                await HandleAsync(client, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A browser (or anything else) that gives up mid-request; keep listening.
            }
        }
    }

    private async Task HandleAsync(TcpClient client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HeadTimeout);
        var stream = client.GetStream();
        var head = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
        var requestLine = head.Split("\r\n", 2)[0].Split(' ');
        if (requestLine.Length < 2 || requestLine[0] != "GET")
        {
            await RespondAsync(stream, 405, "Method not allowed.", timeout.Token).ConfigureAwait(false);
            return;
        }

        var target = requestLine[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? target : target[..q];
        if (!string.Equals(path, _path, StringComparison.Ordinal) || _result.Task.IsCompleted)
        {
            await RespondAsync(stream, 404, "Not found.", timeout.Token).ConfigureAwait(false);
            return;
        }

        var query = Query.Parse(q < 0 ? "" : target[(q + 1)..]);
        if (_expectedState is not null && !(query.TryGetValue("state", out var state) && AuthorizationCode.FixedTimeEquals(state, _expectedState)))
        {
            // Not this login's redirect (a stale tab, another local process): refuse it and keep waiting.
            Interlocked.Increment(ref _rejectedStates);
            await RespondAsync(stream, 400, "This callback belongs to another login attempt; llm-mux is still waiting.", timeout.Token).ConfigureAwait(false);
            return;
        }

        var ok = query.ContainsKey("code") && !query.ContainsKey("error");
        await RespondAsync(
            stream,
            ok ? 200 : 400,
            ok ? "Login received. You can close this window and return to llm-mux." : "Login failed; see the llm-mux terminal.",
            timeout.Token).ConfigureAwait(false);
        _result.TrySetResult(query);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxRequestHead];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private static async Task RespondAsync(NetworkStream stream, int status, string message, CancellationToken ct)
    {
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", _ => "Method Not Allowed" };
        var body = Encoding.UTF8.GetBytes($"<!doctype html><html><head><title>llm-mux</title></head><body><p>{WebUtility.HtmlEncode(message)}</p></body></html>");
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(header, ct).ConfigureAwait(false);
        await stream.WriteAsync(body, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }
}
