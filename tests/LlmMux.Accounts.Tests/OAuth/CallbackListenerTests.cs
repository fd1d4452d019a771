using System.Net;
using System.Net.Sockets;
using System.Text;
using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Tests.OAuth;

/// <summary>L6: other local processes can connect to the callback port; they must neither block nor end the login.</summary>
public sealed class CallbackListenerTests : IDisposable
{
    private const string State = "the-right-state";
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_connection_that_sends_nothing_does_not_hold_up_the_callback()
    {
        await using var listener = CallbackListener.Start(0, "/callback", State);
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, listener.Port);
        using var half = new TcpClient();
        await half.ConnectAsync(IPAddress.Loopback, listener.Port);
        await half.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /callback?code=x&st"));

        using var response = await _http.GetAsync(Url(listener, $"code=c1&state={State}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = await listener.WaitAsync(Deadline());
        Assert.Equal("c1", query["code"]);
    }

    [Fact]
    public async Task A_callback_with_another_state_gets_400_and_the_wait_goes_on()
    {
        await using var listener = CallbackListener.Start(0, "/callback", State);
        var wait = listener.WaitAsync(Deadline());

        using (var forged = await _http.GetAsync(Url(listener, "code=evil&state=forged")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var missing = await _http.GetAsync(Url(listener, "code=evil")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        Assert.False(wait.IsCompleted);
        using var right = await _http.GetAsync(Url(listener, $"code=good&state={State}"));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("good", (await wait)["code"]);
    }

    [Fact]
    public async Task A_wait_that_ends_after_only_wrong_states_reports_the_mismatch()
    {
        await using var listener = CallbackListener.Start(0, "/callback", State);
        using var cts = new CancellationTokenSource();
        var wait = listener.WaitAsync(cts.Token);
        using (var forged = await _http.GetAsync(Url(listener, "code=evil&state=forged")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<OAuthException>(() => wait);
        Assert.Contains("state mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_that_ends_with_no_callback_at_all_is_a_plain_cancellation()
    {
        await using var listener = CallbackListener.Start(0, "/callback", State);
        using var cts = new CancellationTokenSource();
        var wait = listener.WaitAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    private static string Url(CallbackListener listener, string query) => $"http://127.0.0.1:{listener.Port}/callback?{query}";

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
