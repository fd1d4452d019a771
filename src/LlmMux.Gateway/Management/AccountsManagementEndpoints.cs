using System.Text.Json;
using System.Text.Json.Serialization;
using LlmMux.Accounts.Login;
using LlmMux.Accounts.OAuth;
using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LlmMux.Gateway.Management;

/// <summary>
/// Account administration under <c>/v0/management</c>: upload an account file, delete, enable, disable, and run a login
/// on the gateway's machine whose URL or device code is returned to the caller to finish in a browser.
/// </summary>
internal static class AccountsManagementEndpoints
{
    public static RouteGroupBuilder MapAccountAdministration(this RouteGroupBuilder group)
    {
        group.MapPost("/accounts", UploadAsync);
        group.MapDelete("/accounts/{id}", async (string id, AccountStore store) =>
            await store.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : NotFound(id));
        group.MapPost("/accounts/{id}/disable", (string id, AccountStore store) => SetDisabledAsync(store, id, true));
        group.MapPost("/accounts/{id}/enable", (string id, AccountStore store) => SetDisabledAsync(store, id, false));
        group.MapPost("/logins", StartLoginAsync);
        group.MapGet("/logins/{id}", async (string id, LoginJobs jobs, CancellationToken ct) =>
            (jobs.Find(id)?.View() ?? await jobs.FindElsewhereAsync(id, ct).ConfigureAwait(false)) is { } view
                ? Results.Json(view, ManagementAccountsJsonContext.Default.LoginView)
                : Results.NotFound());
        group.MapPost("/logins/{id}/callback", PasteCallbackAsync);
        return group;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, AccountStore store)
    {
        if (await ManagementBody.ReadAsync(request, ManagementBody.MaxAccountFileBytes).ConfigureAwait(false) is not { } body)
        {
            return ManagementBody.TooLarge(ManagementBody.MaxAccountFileBytes);
        }

        try
        {
            var account = await store.ImportAsync(body, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Results.Json(AccountFileView.Of(account), ManagementAccountsJsonContext.Default.AccountFileView, statusCode: 201);
        }
        catch (InvalidOperationException ex)
        {
            return Results.Json(new ValidationView(false, [ex.Message]), ManagementJsonContext.Default.ValidationView, statusCode: 400);
        }
    }

    private static async Task<IResult> SetDisabledAsync(AccountStore store, string id, bool disabled)
    {
        if (store.Find(id) is null)
        {
            return NotFound(id);
        }

        var account = await store.SetDisabledAsync(id, disabled).ConfigureAwait(false);
        return Results.Json(AccountFileView.Of(account), ManagementAccountsJsonContext.Default.AccountFileView);
    }

    /// <summary>
    /// The body is read here, after the endpoint filter has checked the secret: bound as a parameter it would be read and
    /// deserialized before any check.
    /// </summary>
    private static async Task<IResult> StartLoginAsync(HttpRequest request, AccountStore store, GatewayConfigStore config, IHttpClientFactory http, LoginJobs jobs)
    {
        if (await ManagementBody.ReadAsync(request, ManagementBody.MaxLoginBytes).ConfigureAwait(false) is not { } bytes)
        {
            return ManagementBody.TooLarge(ManagementBody.MaxLoginBytes);
        }

        LoginRequest? body;
        try
        {
            body = JsonSerializer.Deserialize(bytes, ManagementAccountsJsonContext.Default.LoginRequest);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?.Provider is not { } provider)
        {
            return Invalid("the body must be JSON like {\"provider\": \"claude\"}");
        }

        if (store.Providers.Find(provider)?.Type is not { } type)
        {
            return Invalid($"unknown provider '{provider}' (expected {string.Join(", ", store.Providers.Types)})");
        }

        if (jobs.TryStart(type) is not { } job)
        {
            return Results.Json(new ErrorView(new ErrorBody($"{LoginJobs.MaxPending} logins are already pending; finish or wait for one", 429)), ManagementJsonContext.Default.ErrorView, statusCode: 429);
        }

        var options = config.Current.Options;
        var login = new LoginOptions { NoBrowser = true, Name = body.Name, ProjectId = body.Project, Output = job.Output, Input = job.Input, Timeout = TimeSpan.FromMinutes(10) };
        _ = Task.Run(async () =>
        {
            try
            {
                var settings = LoginSettings.For(type, options);
                var account = await AccountLogin.LoginAsync(type, settings, login, store, http.CreateClient("llm-mux-oauth"), CancellationToken.None).ConfigureAwait(false);
                job.Succeeded(account.Id);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the job must end as "failed"; left pending it would never be pruned.
                // OAuth errors carry sanitised provider codes only; any other text could quote a response, so only its kind is shown.
                job.Failed(ex is OAuthException ? ex.Message : $"login failed ({ex.GetType().Name})");
            }
        });
        return Results.Json(job.View(), ManagementAccountsJsonContext.Default.LoginView, statusCode: 202);
    }

    /// <summary>
    /// The headless half of a browser login: the redirected URL (or the code the provider's page shows), pasted from
    /// the browser that signed in, handed to the pending login as <c>llm-mux login</c> takes it at its prompt. The
    /// login checks its state and exchanges the code; its view then says how that went.
    /// </summary>
    private static async Task<IResult> PasteCallbackAsync(string id, HttpRequest request, LoginJobs jobs)
    {
        if (await ManagementBody.ReadAsync(request, ManagementBody.MaxLoginBytes).ConfigureAwait(false) is not { } bytes)
        {
            return ManagementBody.TooLarge(ManagementBody.MaxLoginBytes);
        }

        if (jobs.Find(id) is not { } job)
        {
            return await jobs.FindElsewhereAsync(id, request.HttpContext.RequestAborted).ConfigureAwait(false) is null
                ? ManagementEndpoints.Problem(404, $"no login '{id}'")
                : ManagementEndpoints.Problem(409, "this login runs on another instance; paste the URL through that one");
        }

        PastedCallback? body;
        try
        {
            body = JsonSerializer.Deserialize(bytes, ManagementAccountsJsonContext.Default.PastedCallback);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (string.IsNullOrWhiteSpace(body?.Url))
        {
            return Invalid("the body must be JSON like {\"url\": \"http://localhost:54545/callback?code=…&state=…\"}");
        }

        if (!job.View().AcceptsPaste || !job.Input.Paste(body.Url))
        {
            return ManagementEndpoints.Problem(409, job.IsPending
                ? "this login does not wait for a pasted URL (a device-code login completes by itself)"
                : "this login has ended; start a new one");
        }

        return Results.Json(job.View(), ManagementAccountsJsonContext.Default.LoginView, statusCode: 202);
    }

    private static IResult Invalid(string message)
        => Results.Json(new ValidationView(false, [message]), ManagementJsonContext.Default.ValidationView, statusCode: 400);

    private static IResult NotFound(string id)
        => Results.Json(new ValidationView(false, [$"no account '{id}'"]), ManagementJsonContext.Default.ValidationView, statusCode: 404);
}

internal sealed record LoginRequest(string Provider, string? Name = null, string? Project = null);

internal sealed record LoginView(string Id, string Provider, string State, string Instructions, string? AccountId, string? Error)
{
    /// <summary>A browser login waiting for its redirect: <c>POST /logins/{id}/callback</c> can finish it.</summary>
    public bool AcceptsPaste { get; init; }
}

/// <summary>The body of <c>POST /logins/{id}/callback</c>: what the browser's address bar showed after signing in.</summary>
internal sealed record PastedCallback(string? Url);

internal sealed record AccountFileView(string Id, string Type, string Identity, string State, DateTimeOffset? Expiry)
{
    public static AccountFileView Of(Account a) => new(a.Id, a.Type, a.Identity, a.State.ToString().ToLowerInvariant(), a.Expiry);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoginView))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(PastedCallback))]
[JsonSerializable(typeof(AccountFileView))]
internal sealed partial class ManagementAccountsJsonContext : JsonSerializerContext;
