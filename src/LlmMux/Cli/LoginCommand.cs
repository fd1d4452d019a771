using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux login &lt;provider&gt; [--no-browser] [--name NAME] [--project ID] [--key-file FILE]</c>: runs the provider's login flow
/// (browser + PKCE for claude, codex and gemini; GitHub device flow for copilot) and writes one account file into the
/// auth dir. OAuth endpoints come from the config's <c>oauth:</c> block of a provider of that type, if any.
/// Never prints a token.
/// </summary>
internal static class LoginCommand
{
    /// <param name="input">Where a pasted redirect URL is read from (the console; null turns pasting off).</param>
    /// <param name="handler">HTTP handler for the OAuth calls (tests); default a fresh <see cref="SocketsHttpHandler"/>.</param>
    /// <param name="time">Clock for the device-flow polling (tests).</param>
    /// <param name="openBrowser">Opens a URL (tests); default the system browser.</param>
    public static async Task<int> RunAsync(
        LoginFlags flags,
        Func<string, string?> getVariable,
        TextWriter output,
        TextWriter error,
        TextReader? input,
        HttpMessageHandler? handler = null,
        TimeProvider? time = null,
        Func<string, bool>? openBrowser = null,
        CancellationToken ct = default)
    {
        var type = flags.Provider;
        var source = ConfigLocator.Locate(flags.Config, getVariable);
        var options = ConfigLocator.Load(source, getVariable);
        var settings = LoginSettings.For(type, options);
        using var store = new AccountStore(LoginSettings.ExpandHome(options.AuthDir));
        store.Load();

        var loginOptions = new LoginOptions
        {
            NoBrowser = flags.NoBrowser,
            Name = NonEmpty(flags.Name),
            ProjectId = NonEmpty(flags.Project),
            KeyFile = NonEmpty(flags.KeyFile),
            Output = output,
            Input = input,
            OpenBrowser = openBrowser,
            TimeProvider = time ?? TimeProvider.System,
        };

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true; // end the login cleanly instead of killing the process
            cancel.Cancel();
        }

        Console.CancelKeyPress += OnCancelKey;
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        try
        {
            var account = await AccountLogin.LoginAsync(type, settings, loginOptions, store, http, cancel.Token).ConfigureAwait(false);
            await output.WriteLineAsync(
                $"Account '{account.Id}' ({account.FileName}) is ready. A running `llm-mux serve` picks it up without a restart; " +
                "`llm-mux accounts` lists it.").ConfigureAwait(false);
            if (!LoginSettings.IsConfigured(type, options))
            {
                await output.WriteLineAsync(
                    $"Note: {source.DisplayName} has no provider of type {type}, so no request is routed to this account yet. " +
                    $"Add one under providers:, e.g. `- {{ name: {type}, type: {type} }}`.").ConfigureAwait(false);
            }

            return 0;
        }
        catch (OAuthException e)
        {
            await error.WriteLineAsync($"llm-mux login {type}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync(cancel.IsCancellationRequested
                ? $"llm-mux login {type}: cancelled; no account was written."
                : $"llm-mux login {type}: timed out waiting for the sign-in; no account was written. Run it again.").ConfigureAwait(false);
            return 1;
        }
        catch (InvalidOperationException e)
        {
            // The store refuses to overwrite an account file it cannot parse; the message names the file only.
            await error.WriteLineAsync($"llm-mux login {type}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKey;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
