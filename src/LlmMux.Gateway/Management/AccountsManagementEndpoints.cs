using System.Collections.Concurrent;
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
    private static readonly ConcurrentDictionary<string, LoginJob> Logins = new(StringComparer.Ordinal);

    public static RouteGroupBuilder MapAccountAdministration(this RouteGroupBuilder group)
    {
        group.MapPost("/accounts", UploadAsync);
        group.MapDelete("/accounts/{id}", async (string id, AccountStore store) =>
            await store.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : NotFound(id));
        group.MapPost("/accounts/{id}/disable", (string id, AccountStore store) => SetDisabledAsync(store, id, true));
        group.MapPost("/accounts/{id}/enable", (string id, AccountStore store) => SetDisabledAsync(store, id, false));
        group.MapPost("/logins", StartLogin);
        group.MapGet("/logins/{id}", (string id) => Logins.TryGetValue(id, out var job)
            ? Results.Json(job.View(), ManagementAccountsJsonContext.Default.LoginView)
            : Results.NotFound());
        return group;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, AccountStore store)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        try
        {
            var account = await store.ImportAsync(buffer.ToArray(), request.HttpContext.RequestAborted).ConfigureAwait(false);
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

    private static IResult StartLogin(LoginRequest body, AccountStore store, GatewayConfigStore config, IHttpClientFactory http)
    {
        if (AccountTypes.Normalize(body.Provider) is not { } type)
        {
            return Results.Json(new ValidationView(false, [$"unknown provider '{body.Provider}' (expected claude, codex, gemini, copilot)"]), ManagementJsonContext.Default.ValidationView, statusCode: 400);
        }

        var job = new LoginJob(Guid.NewGuid().ToString("N"), type);
        Logins[job.Id] = job;
        var settings = LoginSettings.For(type, config.Current.Options);
        var options = new LoginOptions { NoBrowser = true, Name = body.Name, ProjectId = body.Project, Output = job.Output, Timeout = TimeSpan.FromMinutes(10) };
        _ = Task.Run(async () =>
        {
            try
            {
                var account = await AccountLogin.LoginAsync(type, settings, options, store, http.CreateClient("llm-mux-oauth"), CancellationToken.None).ConfigureAwait(false);
                job.Succeeded(account.Id);
            }
            catch (Exception ex) when (ex is OAuthException or OperationCanceledException or HttpRequestException or InvalidOperationException)
            {
                job.Failed(ex is OAuthException ? ex.Message : ex.GetType().Name);
            }
        });
        return Results.Json(job.View(), ManagementAccountsJsonContext.Default.LoginView, statusCode: 202);
    }

    private static IResult NotFound(string id)
        => Results.Json(new ValidationView(false, [$"no account '{id}'"]), ManagementJsonContext.Default.ValidationView, statusCode: 404);

    /// <summary>A login in progress; its output holds the URL or device code the user needs, never a token.</summary>
    private sealed class LoginJob(string id, string type)
    {
        private readonly Lock _lock = new();
        private string _state = "pending";
        private string? _accountId;
        private string? _error;

        public string Id { get; } = id;

        public StringWriter Output { get; } = new();

        public void Succeeded(string accountId)
        {
            lock (_lock)
            {
                (_state, _accountId) = ("done", accountId);
            }
        }

        public void Failed(string error)
        {
            lock (_lock)
            {
                (_state, _error) = ("failed", error);
            }
        }

        public LoginView View()
        {
            lock (_lock)
            {
                return new LoginView(Id, type, _state, Output.ToString(), _accountId, _error);
            }
        }
    }
}

internal sealed record LoginRequest(string Provider, string? Name = null, string? Project = null);

internal sealed record LoginView(string Id, string Provider, string State, string Instructions, string? AccountId, string? Error);

internal sealed record AccountFileView(string Id, string Type, string Identity, string State, DateTimeOffset? Expiry)
{
    public static AccountFileView Of(Account a) => new(a.Id, a.Type, a.Identity, a.State.ToString().ToLowerInvariant(), a.Expiry);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoginView))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(AccountFileView))]
internal sealed partial class ManagementAccountsJsonContext : JsonSerializerContext;
