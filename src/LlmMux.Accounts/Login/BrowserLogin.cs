using System.Net.Sockets;
using LlmMux.Accounts.OAuth;

namespace LlmMux.Accounts.Login;

/// <summary>
/// The browser half of an authorization-code + PKCE login: a callback listener on the provider's port (or a pasted
/// redirect URL / code when the port is taken or the browser is elsewhere), the authorize URL printed and opened, and
/// the code waited for. The provider's exchange of the code is the <c>complete</c> step.
/// </summary>
internal static class BrowserLogin
{
    /// <param name="displayName">How the service is named to the user.</param>
    /// <param name="authorizeParameters">The provider's parameters beyond the standard PKCE ones.</param>
    /// <param name="complete">Exchanges the code for tokens and builds the account file.</param>
    public static async Task<TResult> RunAsync<TResult>(
        LoginContext context,
        string displayName,
        IEnumerable<KeyValuePair<string, string>> authorizeParameters,
        Func<BrowserCallback, Task<TResult>> complete,
        CancellationToken ct)
    {
        var (settings, options) = (context.Settings, context.Options);
        var output = options.Output;
        var pkce = PkceCodes.Create();
        var state = OAuthRandom.State();
        CallbackListener? listener = null;
        try
        {
            try
            {
                listener = CallbackListener.Start(settings.CallbackPort, settings.CallbackPath, state);
            }
            catch (SocketException)
            {
                if (options.Input is null)
                {
                    throw new OAuthException($"Port {settings.CallbackPort} is in use, so the login callback cannot be received; free the port and try again.");
                }

                await output.WriteLineAsync($"Port {settings.CallbackPort} is in use; the browser redirect cannot be received here, so paste it instead.").ConfigureAwait(false);
            }

            var redirectUri = settings.RedirectUri(listener?.Port ?? settings.CallbackPort);
            var url = pkce.AuthorizeUrl(settings, redirectUri, state, authorizeParameters);

            await output.WriteLineAsync($"Sign in to {displayName} with this URL:").ConfigureAwait(false);
            await output.WriteLineAsync("  " + url).ConfigureAwait(false);
            var opened = !options.NoBrowser && (options.OpenBrowser ?? BrowserLauncher.TryOpen)(url);
            await output.WriteLineAsync(opened ? "(opened in your browser)" : "Open it in a browser (on any machine).").ConfigureAwait(false);
            if (listener is not null)
            {
                await output.WriteLineAsync($"Waiting for the redirect to {redirectUri} (up to {options.Timeout.TotalMinutes:0.#} min)...").ConfigureAwait(false);
            }

            if (options.Input is not null)
            {
                await output.WriteLineAsync("If the browser ends on an error page (it cannot reach this machine), copy the whole address from its address bar, paste it here and press Enter.").ConfigureAwait(false);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Timeout);
            var code = await WaitForCodeAsync(listener, options.Input, state, timeout.Token).ConfigureAwait(false);
            await output.WriteLineAsync("Authorization received; finishing the login...").ConfigureAwait(false);
            return await complete(new BrowserCallback(code, redirectUri, pkce, state)).ConfigureAwait(false);
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<AuthorizationCode> WaitForCodeAsync(
        CallbackListener? listener, TextReader? input, string state, CancellationToken ct)
    {
        var waits = new List<Task<AuthorizationCode?>>();
        if (listener is not null)
        {
            waits.Add(FromCallbackAsync(listener, state, ct));
        }

        if (input is not null)
        {
            waits.Add(FromPasteAsync(input, state, ct));
        }

        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits).ConfigureAwait(false);
            waits.Remove(done);
            if (await done.ConfigureAwait(false) is { } code)
            {
                return code;
            }
        }

        throw new OAuthException("No authorization code was received.");
    }

    private static async Task<AuthorizationCode?> FromCallbackAsync(CallbackListener listener, string state, CancellationToken ct) =>
        AuthorizationCode.FromQuery(await listener.WaitAsync(ct).ConfigureAwait(false), state);

    private static async Task<AuthorizationCode?> FromPasteAsync(TextReader input, string state, CancellationToken ct)
    {
        while (true)
        {
            // Console input cannot be cancelled; read on the pool so a finished login never waits for it. A paste box
            // (the management API's) waits without a thread.
            var line = input is PastedInput pasted
                ? await pasted.ReadLineAsync(ct).ConfigureAwait(false)
                : await Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(ct).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            // A paste from another login attempt (state mismatch) or an error redirect ends the login.
            return AuthorizationCode.FromPasted(line, state);
        }
    }
}
