using System.Net.Sockets;
using System.Text.Json;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Login;

/// <summary>
/// <c>llm-mux login &lt;provider&gt;</c>: runs the provider's flow, prints what the user must do, and writes the
/// account file into the store.
/// </summary>
public static class AccountLogin
{
    /// <summary>
    /// Logs in one account of <paramref name="type"/> (claude, codex, gemini, copilot) and writes its file.
    /// Claude, codex and gemini: authorization code + PKCE with a callback listener on the provider's port, or a
    /// pasted redirect URL / code. Copilot: GitHub device flow. Throws <see cref="OAuthException"/> on failure
    /// (its message is safe to print) and <see cref="OperationCanceledException"/> on timeout or cancellation.
    /// </summary>
    public static async Task<Account> LoginAsync(
        string type, OAuthSettings settings, LoginOptions options, AccountStore store, HttpClient http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(http);
        var normalized = AccountTypes.Normalize(type) ?? throw new ArgumentException($"Unknown provider type '{type}'.", nameof(type));
        var (file, identity) = normalized == AccountTypes.Copilot
            ? await CopilotLoginAsync(settings, options, http, ct).ConfigureAwait(false)
            : await BrowserLoginAsync(normalized, settings, options, http, ct).ConfigureAwait(false);

        var name = string.IsNullOrWhiteSpace(options.Name) ? null : options.Name.Trim();
        if (name is null && string.IsNullOrWhiteSpace(identity))
        {
            throw new OAuthException("The provider did not tell which account signed in; run the login again with a name.");
        }

        var id = AccountFiles.IdFor(normalized, name ?? identity);
        file = file with { Label = name ?? file.Label };
        var account = await store.UpsertAsync(id, existing => Merge(existing, file), ct).ConfigureAwait(false);
        await options.Output.WriteLineAsync($"Signed in as {account.Identity}. Saved account '{account.Id}' to {store.PathOf(account.Id)}.").ConfigureAwait(false);
        return account;
    }

    /// <summary>A new login replaces the tokens and clears an expired state; fields the user or Go added stay.</summary>
    private static AccountFile Merge(AccountFile? existing, AccountFile fresh)
    {
        if (existing is null)
        {
            return fresh;
        }

        return fresh with
        {
            Label = fresh.Label ?? existing.Label,
            Disabled = existing.Disabled,
            Extra = MergeExtra(existing.Extra, fresh.Extra),
            Token = fresh.Token is null ? null : fresh.Token with { Extra = MergeExtra(existing.Token?.Extra, fresh.Token.Extra) },
        };
    }

    private static Dictionary<string, JsonElement>? MergeExtra(Dictionary<string, JsonElement>? existing, Dictionary<string, JsonElement>? fresh)
    {
        if (existing is null)
        {
            return fresh;
        }

        var merged = new Dictionary<string, JsonElement>(existing, StringComparer.Ordinal);
        foreach (var (key, value) in fresh ?? [])
        {
            merged[key] = value;
        }

        return merged;
    }

    private static async Task<(AccountFile File, string Identity)> BrowserLoginAsync(
        string type, OAuthSettings settings, LoginOptions options, HttpClient http, CancellationToken ct)
    {
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
            var url = type switch
            {
                AccountTypes.Claude => ClaudeProvider.AuthorizeUrl(settings, redirectUri, pkce, state),
                AccountTypes.Codex => CodexProvider.AuthorizeUrl(settings, redirectUri, pkce, state),
                AccountTypes.Gemini => GeminiProvider.AuthorizeUrl(settings, redirectUri, pkce, state),
                _ => throw new InvalidOperationException($"Account type '{type}' has no browser login."),
            };

            await output.WriteLineAsync($"Sign in to {DisplayName(type)} with this URL:").ConfigureAwait(false);
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

            var now = options.TimeProvider.GetUtcNow();
            switch (type)
            {
                case AccountTypes.Claude:
                    return await ClaudeProvider.ExchangeAsync(http, settings, code, redirectUri, pkce, state, now, ct).ConfigureAwait(false);
                case AccountTypes.Codex:
                    return await CodexProvider.ExchangeAsync(http, settings, code, redirectUri, pkce, now, ct).ConfigureAwait(false);
                case AccountTypes.Gemini:
                    var grant = await GeminiProvider.ExchangeAsync(http, settings, code, redirectUri, pkce, ct).ConfigureAwait(false);
                    var email = await GeminiProvider.EmailAsync(http, settings, grant.AccessToken, ct).ConfigureAwait(false);
                    await output.WriteLineAsync("Setting up Gemini Code Assist (finding or creating the project)...").ConfigureAwait(false);
                    var project = await GeminiProvider.ProjectAsync(http, settings, grant.AccessToken, options.ProjectId, options.TimeProvider, ct).ConfigureAwait(false);
                    await output.WriteLineAsync($"Using Code Assist project {project}.").ConfigureAwait(false);
                    var file = grant.ApplyGemini(new AccountFile { Type = AccountTypes.Gemini, Email = email, ProjectId = project }, now);
                    return (file, email);
                default:
                    throw new InvalidOperationException($"Account type '{type}' has no browser login.");
            }
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
            // Console input cannot be cancelled; read on the pool so a finished login never waits for it.
            var line = await Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(ct).ConfigureAwait(false);
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

    private static async Task<(AccountFile File, string Identity)> CopilotLoginAsync(
        OAuthSettings settings, LoginOptions options, HttpClient http, CancellationToken ct)
    {
        var output = options.Output;
        var device = await CopilotProvider.StartDeviceFlowAsync(http, settings, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"To sign in to GitHub Copilot, open {device.VerificationUri} and enter the code:").ConfigureAwait(false);
        await output.WriteLineAsync("  " + device.UserCode).ConfigureAwait(false);
        if (!options.NoBrowser)
        {
            (options.OpenBrowser ?? BrowserLauncher.TryOpen)(device.VerificationUri);
        }

        await output.WriteLineAsync($"Waiting for you to approve it (the code expires in {device.ExpiresIn.TotalMinutes:0.#} min)...").ConfigureAwait(false);
        var grant = await CopilotProvider.PollAsync(http, settings, device, options.TimeProvider, ct).ConfigureAwait(false);
        var username = await CopilotProvider.UsernameAsync(http, settings, grant.AccessToken, ct).ConfigureAwait(false);
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["token_type"] = JsonValue(grant.TokenType ?? "bearer"),
            ["scope"] = JsonValue(OAuthHttp.String(grant.Body, "scope") ?? settings.Scopes),
            ["timestamp"] = JsonNumber(options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        var file = new AccountFile
        {
            Type = AccountTypes.CopilotFileType,
            Username = username,
            AccessToken = grant.AccessToken,
            Extra = extra,
        };
        return (file, username);
    }

    private static JsonElement JsonValue(string value)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(value, AccountJsonContext.Default.String));
        return document.RootElement.Clone();
    }

    private static JsonElement JsonNumber(long value)
    {
        using var document = JsonDocument.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return document.RootElement.Clone();
    }

    private static string DisplayName(string type) => type switch
    {
        AccountTypes.Claude => "Claude",
        AccountTypes.Codex => "ChatGPT (Codex)",
        AccountTypes.Gemini => "Google (Gemini)",
        _ => type,
    };
}
